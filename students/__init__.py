"""Learners trained on the tasks a teacher picks: Stable-Baselines3 algorithms and the
simulated student. Importing this package registers the built-in students; ``STUDENTS.names()``
lists them with those of installed plug-ins. The SB3 students are registered by name and
imported (with torch and SB3) only when one is asked for, so that a simulated run, which needs
neither, starts in a fraction of the time."""

from aclbench import envs  # noqa: F401  (registers the envs students are built on)
from aclbench.students import simulated
from aclbench.students.base import Student, TrainingListener
from aclbench.students.registry import STUDENTS, make_student, register_student

for _name, _cls in [
    ("ppo", "PPOStudent"),
    ("a2c", "A2CStudent"),
    ("sac", "SACStudent"),
    ("td3", "TD3Student"),
    ("dqn", "DQNStudent"),
]:
    STUDENTS.add_lazy(_name, f"aclbench.students.sb3:{_cls}")

__all__ = [
    "STUDENTS",
    "Student",
    "TrainingListener",
    "make_student",
    "register_student",
    "simulated",
]
