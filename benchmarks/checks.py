"""Checks of a run's config that need no training, so that a bad one fails before anything is
written: as one line naming what is allowed, not as a TypeError in every run of a suite.

What is checked: the env, teacher and student names; the env kwargs and the teacher parameters
against their constructors; the student parameters against the student's constructor or, for an
SB3 student (whose constructor takes ``**params``), their names against the SB3 algorithm's
constructor and the aclbench keys. The values of SB3 parameters, and how they combine with the
per-env defaults, are checked only when the student is built, at the start of the run.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.envs.registration import load_env_creator

import envs
import students
from benchmarks.config import RunConfig
from students.hyperparams import STUDENT_KEYS
from students.registry import _STUDENT_ARGS
from students.sb3 import _SB3_SKIP, SB3Student
from teachers.registry import check_params, teacher_class


def check_config(config: RunConfig) -> None:
    """Raise ConfigError (or UnknownNameError) where ``config`` cannot start."""
    check_env_kwargs(config.env, config.env_kwargs)
    teacher_class(config.teacher, config.teacher_params)
    check_student_params(config.student, config.student_params)


def check_env_kwargs(name: str, kwargs: dict[str, Any]) -> None:
    """``kwargs`` against the constructor of the env registered as ``name``."""
    entry_point = gym.spec(envs.ENVS.get(name).gym_id).entry_point
    creator = load_env_creator(entry_point) if isinstance(entry_point, str) else entry_point
    if creator is not None:
        check_params(creator, kwargs, what=f"env {name!r}", skip=("self",))


def check_student_params(name: str, params: dict[str, Any]) -> None:
    """The names of ``params`` against what the student registered as ``name`` accepts."""
    cls = students.STUDENTS.get(name)
    if not issubclass(cls, SB3Student):
        check_params(cls, params, what=f"student {name!r}", skip=_STUDENT_ARGS)
        return
    sb3_params = {key: value for key, value in params.items() if key not in STUDENT_KEYS}
    algorithm = cls.algorithm
    check_params(  # the same check and message as SB3Student's, without building the student
        algorithm,
        sb3_params,
        what=f"student {name!r} (SB3 {algorithm.__name__}; aclbench keys: "
        f"{', '.join(STUDENT_KEYS)})",
        skip=_SB3_SKIP,
    )
