"""Learners trained on the tasks a teacher picks: Stable-Baselines3 algorithms and the
simulated student. Importing this package registers the built-in students; ``STUDENTS.names()``
lists them with those of installed plug-ins."""

import envs  # noqa: F401  (registers the envs students are built on)
from students import sb3, simulated
from students.base import Student, TrainingListener
from students.registry import STUDENTS, make_student, register_student

__all__ = [
    "STUDENTS",
    "Student",
    "TrainingListener",
    "make_student",
    "register_student",
    "sb3",
    "simulated",
]
