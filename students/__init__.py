"""Learners trained on the tasks a teacher picks: Stable-Baselines3 algorithms and the
simulated student. Importing this package registers the built-in students; ``STUDENTS.names()``
lists them with those of installed plug-ins."""

from aclbench import envs  # noqa: F401  (registers the envs students are built on)
from aclbench.students import sb3, simulated
from aclbench.students.base import Student, TrainingListener
from aclbench.students.registry import STUDENTS, make_student, register_student

__all__ = [
    "STUDENTS",
    "Student",
    "TrainingListener",
    "make_student",
    "register_student",
    "sb3",
    "simulated",
]
