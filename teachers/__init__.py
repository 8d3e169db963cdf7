"""Teacher algorithms: choose the next training task from the student's feedback.

Importable and testable without any environment or student. Importing this package registers
the built-in teachers; ``TEACHERS.names()`` lists them with those of installed plug-ins.
"""

from teachers import alp_gmm, covar_gmm, easy_to_hard, random_teacher, riac
from teachers.base import Rollout, Teacher
from teachers.checker import check_teacher
from teachers.registry import TEACHERS, make_teacher, register_teacher

__all__ = [
    "TEACHERS",
    "alp_gmm",
    "covar_gmm",
    "easy_to_hard",
    "riac",
    "Rollout",
    "Teacher",
    "check_teacher",
    "make_teacher",
    "random_teacher",
    "register_teacher",
]
