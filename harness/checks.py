"""Checks of a run's config that need no training, so that a bad one fails before anything is
written: as one line naming what is allowed, not as a TypeError in every run of a suite.

What is checked: the env, teacher and student names; that the student can train on the env (no SB3
student on a simulated-student env, actions the algorithm supports); the env kwargs and the teacher
parameters against their constructors; the values of the env kwargs and of the teacher parameters,
by building the env and then the teacher on its task space with the env's expert knowledge at the
run's level, as the runner does, and the ``rugged`` table with it (a teacher that needs more
knowledge than the run's level, or ``"high"`` on an env that defines no initial distribution of easy
tasks, is refused); the student parameters against the student's constructor or, for an SB3 student
(whose constructor takes ``**params``), their names against the SB3 algorithm's constructor and the
aclbench keys. The values of SB3 parameters, and how they combine with the per-env defaults, are
checked only when the student is built, at the start of the run. Where the test set comes from other
env kwargs than the training space, that test set must lie inside it.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import load_env_creator
from numpy.typing import NDArray

from aclbench import envs, students, teachers
from aclbench.errors import ACLBenchError, ConfigError
from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.harness.config import RunConfig
from aclbench.harness.tensorboard import check_tensorboard
from aclbench.registry import check_params, import_modules
from aclbench.task_space import TaskSpace
from aclbench.teachers.registry import teacher_class
from aclbench.teachers.rugged import make_rugged

BUILD_ERRORS = (ACLBenchError, ValueError, TypeError)
"""What a constructor raises on a bad value (the teachers' own checks raise ConfigError)."""


class ConfigChecker:
    """:func:`check_config` for the runs of a suite: each env is built once per kwargs, each
    student checked once per env and kwargs, and each teacher built once per (env, kwargs,
    teacher, parameters), whatever the number of seeds."""

    def __init__(self) -> None:
        self._envs: dict[str, gym.Env] = {}
        self._checked: set[str] = set()

    def check(self, config: RunConfig) -> None:
        """Raise ConfigError (or UnknownNameError) where ``config`` cannot start."""
        import_modules(config.imports, "imports")
        check_env_kwargs(config.env, config.env_kwargs)
        if config.device != "auto":
            from aclbench.students.devices import check_device_available  # imports torch

            check_device_available(config.device)
        if config.tensorboard:
            check_tensorboard()
        teacher_class(config.teacher, config.teacher_params)
        students.STUDENTS.get(config.student).check_param_names(
            config.student_params, name=config.student
        )
        self._check_student_env(config)
        self._check_teacher_values(config)
        if config.test_env_kwargs is not None:
            check_env_kwargs(config.env, config.test_env_kwargs)
            self._check_test_set(config)

    def _check_student_env(self, config: RunConfig) -> None:
        key = repr(
            (config.student, config.env, config.env_kwargs, config.steps, config.student_params)
        )
        if key in self._checked:
            return
        env = self._env(config.env, config.env_kwargs)
        student = students.STUDENTS.get(config.student)
        student.check_env(env, name=config.student, env_name=config.env)
        student.check_budget(
            config.steps, name=config.student, env_name=config.env, params=config.student_params
        )
        self._checked.add(key)

    def _check_teacher_values(self, config: RunConfig) -> None:
        # repr keys: equal dicts written in another order are only built twice
        key = repr(
            (
                config.env,
                config.env_kwargs,
                config.teacher,
                config.teacher_params,
                config.expert_knowledge,
                config.rugged,
                config.student,
                config.student_params,
            )
        )
        if key in self._checked:
            return
        env = envs.task_env(self._env(config.env, config.env_kwargs))
        knowledge = level_knowledge(env, config)
        try:
            teacher = teachers.make_teacher(
                config.teacher,
                env.task_space,
                seed=config.seed,
                expert_knowledge=knowledge,
                **config.teacher_params,
            )
        except BUILD_ERRORS as err:
            raise ConfigError(f"[teacher.{config.teacher}] {_describe(err)}") from None
        make_rugged(teacher, config.rugged)
        try:
            students.STUDENTS.get(config.student).check_teacher(
                teacher, name=config.student, env_name=config.env, params=config.student_params
            )
        except ConfigError as err:
            raise ConfigError(
                f"[student.{config.student}] with teacher {config.teacher!r}: {err}"
            ) from None
        self._checked.add(key)

    def _check_test_set(self, config: RunConfig) -> None:
        key = repr((config.env, config.env_kwargs, config.test_env_kwargs))
        if key in self._checked:
            return
        try:
            evaluation_protocol(config)
        except BUILD_ERRORS as err:
            raise ConfigError(f"[env.{config.env}] test_kwargs: {_describe(err)}") from None
        self._checked.add(key)

    def _env(self, name: str, kwargs: dict[str, Any]) -> gym.Env:
        """The env ``name`` built once per kwargs; never reset nor stepped."""
        key = repr((name, kwargs))
        if key not in self._envs:
            try:
                self._envs[key] = envs.make_env(name, **kwargs)
            except BUILD_ERRORS as err:
                raise ConfigError(f"[env.{name}] kwargs: {_describe(err)}") from None
        return self._envs[key]


def level_knowledge(env: envs.TaskEnv, config: RunConfig) -> ExpertKnowledge:
    """The expert knowledge of ``env`` at ``config``'s level; ConfigError where the level is
    ``"high"`` and the env defines no initial distribution of easy tasks."""
    knowledge = envs.expert_knowledge_of(env).at(config.expert_knowledge)
    if config.expert_knowledge == "high" and knowledge.initial is None:
        raise ConfigError(
            f"expert_knowledge = 'high' gives the teacher an initial distribution of easy "
            f"tasks, and env {config.env!r} defines none; use 'low' or 'none'"
        )
    return knowledge


def run_knowledge(config: RunConfig) -> ExpertKnowledge | None:
    """What :func:`teachers.make_teacher` is given for ``config``: its env's expert knowledge
    at its level, or ``None`` for a teacher that neither needs nor uses any (its env is then
    not built again)."""
    cls = teacher_class(config.teacher, config.teacher_params)
    if cls.expert_knowledge_needed == cls.expert_knowledge_used == "none":
        return None
    env = envs.make_env(config.env, **config.env_kwargs)
    try:
        return level_knowledge(envs.task_env(env), config)
    finally:
        env.close()


def check_config(config: RunConfig) -> None:
    """Raise ConfigError (or UnknownNameError) where ``config`` cannot start."""
    ConfigChecker().check(config)


def check_env_kwargs(name: str, kwargs: dict[str, Any]) -> None:
    """``kwargs`` against the constructor of the env registered as ``name``."""
    entry_point = gym.spec(envs.ENVS.get(name).gym_id).entry_point
    creator = load_env_creator(entry_point) if isinstance(entry_point, str) else entry_point
    if creator is not None:
        check_params(creator, kwargs, what=f"env {name!r}", skip=("self",))


def _describe(err: Exception) -> str:
    """Our own errors speak for themselves; a plain ValueError or TypeError is named."""
    return str(err) if isinstance(err, ACLBenchError) else f"{type(err).__name__}: {err}"


def evaluation_protocol(config: RunConfig) -> tuple[TaskSpace, NDArray[np.float64], float]:
    """The training task space, the test set and the mastery threshold of ``config``'s env.

    The test set comes from the env built with ``test_env_kwargs`` where that is set (a wider
    training space tested on the default grid), else with ``env_kwargs``; a test task outside
    the training space raises ConfigError, since the student could not play it.
    """
    train = _task_env_facts(config.env, config.env_kwargs)
    if config.test_env_kwargs is None:
        return train
    task_space, _, threshold = train
    _, test_tasks, _ = _task_env_facts(config.env, config.test_env_kwargs)
    for task in test_tasks:
        if not task_space.contains(task):
            raise ConfigError(
                f"test task {task.tolist()} lies outside the training task space "
                f"({task_space!r}); the test set must lie inside it"
            )
    return task_space, test_tasks, threshold


def _task_env_facts(
    name: str, kwargs: dict[str, Any]
) -> tuple[TaskSpace, NDArray[np.float64], float]:
    env = envs.make_env(name, **kwargs)
    try:
        inner = envs.task_env(env)
        tests = np.asarray(inner.test_tasks(), dtype=np.float64)
        return inner.task_space, tests, inner.mastered_threshold
    finally:
        env.close()
