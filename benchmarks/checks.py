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
from teachers.registry import check_params, teacher_class


def check_config(config: RunConfig) -> None:
    """Raise ConfigError (or UnknownNameError) where ``config`` cannot start."""
    check_env_kwargs(config.env, config.env_kwargs)
    teacher_class(config.teacher, config.teacher_params)
    students.STUDENTS.get(config.student).check_param_names(
        config.student_params, name=config.student
    )


def check_env_kwargs(name: str, kwargs: dict[str, Any]) -> None:
    """``kwargs`` against the constructor of the env registered as ``name``."""
    entry_point = gym.spec(envs.ENVS.get(name).gym_id).entry_point
    creator = load_env_creator(entry_point) if isinstance(entry_point, str) else entry_point
    if creator is not None:
        check_params(creator, kwargs, what=f"env {name!r}", skip=("self",))
