"""The Student interface: a learner trained on an env while a teacher picks its tasks.

The harness (``aclbench.harness``) builds a student, calls :meth:`Student.learn` once, and listens:
the student reports every finished training episode and its env-step count through a
:class:`TrainingListener`, and the harness calls :meth:`Student.evaluate` from inside
``on_steps`` whenever an evaluation is due. The student owns the teacher wiring: it asks the
teacher for tasks and feeds back every finished episode exactly once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from aclbench.registry import check_params
from aclbench.task_space import Task
from aclbench.teachers.base import Teacher

if TYPE_CHECKING:
    from stable_baselines3.common.logger import Logger

CONSTRUCTOR_ARGS = ("self", "env_name", "teacher", "seed", "env_kwargs", "device")
"""The arguments every student takes; the others are its hyperparameters."""


class TrainingListener(Protocol):
    """What the harness wants to hear during training."""

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        """A training episode on ``task`` ended (the teacher has already been updated)."""

    def on_steps(self, env_steps: int) -> None:
        """Training has taken ``env_steps`` env steps in all; called at least once per step of
        the vectorized env. The listener may call :meth:`Student.evaluate` from here."""


class Student(ABC):
    """Base class of learners.

    Args:
        env_name: short name of a registered aclbench env (``"cartpole"``).
        teacher: chooses the training tasks; lives in the main process.
        seed: seeds the learner, its envs and their default tasks.
        env_kwargs: passed to the env's constructor.
        device: torch device for neural students; ``"auto"`` uses a GPU where there is one.
        params: learner hyperparameters (overriding the per-env defaults).
    """

    def __init__(
        self,
        env_name: str,
        teacher: Teacher,
        *,
        seed: int,
        env_kwargs: dict[str, Any] | None = None,
        device: str = "auto",
        **params: Any,
    ) -> None:
        self.env_name = env_name
        self.teacher = teacher
        self.seed = seed
        self.env_kwargs = dict(env_kwargs or {})
        self.device = device
        self.params = params
        self.hyperparams: dict[str, Any] = dict(params)
        """Every hyperparameter the learner uses, defaults included, as the run records it
        (``student_params.json``): a subclass with defaults of its own sets it to them."""

    @classmethod
    def check_param_names(cls, params: dict[str, Any], *, name: str) -> None:
        """Raise ConfigError naming the hyperparameters this learner does not take, without
        building it, so that a suite with a typo fails before its first run starts."""
        check_params(cls, params, what=f"student {name!r}", skip=CONSTRUCTOR_ARGS)

    @classmethod
    def check_env(cls, env: gym.Env, *, name: str, env_name: str) -> None:
        """Raise ConfigError, naming the env, the student and why, where this learner cannot
        train on ``env`` (an instance the suite check builds once), so that a suite pairing
        them fails before any run folder is made. The default accepts every env."""

    @classmethod
    def check_budget(cls, steps: int, *, name: str, env_name: str, params: dict[str, Any]) -> None:
        """Raise ConfigError where a budget of ``steps`` env steps is too small for this learner
        with ``params`` to train at all (less than one on-policy rollout), rather than overshoot
        it many times. The default accepts any budget."""

    @classmethod
    def check_teacher(
        cls, teacher: Teacher, *, name: str, env_name: str, params: dict[str, Any]
    ) -> None:
        """Raise ConfigError where this learner with ``params`` cannot train with ``teacher``
        (a teacher that needs on-policy rollouts with an off-policy algorithm, PAIRED with a
        decaying schedule), so that a suite fails before any run starts rather than each run
        at its start. The default accepts every teacher."""

    @abstractmethod
    def learn(self, total_steps: int, listener: TrainingListener) -> None:
        """Train for ``total_steps`` env steps, reporting to ``listener``."""

    def log_training(self, logger: Logger) -> None:
        """Write the learner's own training metrics (losses, episode returns...) to ``logger``,
        SB3's logger on the run's TensorBoard log, from now on and after a checkpoint is
        loaded. The default writes none: the harness logs the evaluations of every student."""

    @abstractmethod
    def evaluate(self, tasks: NDArray[np.float64]) -> NDArray[np.float64]:
        """Deterministic return of one episode on each task (``n_tasks`` x ``n_dims`` in,
        ``n_tasks`` out), without training and without touching the teacher."""

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write the final model (or simulated learner state) into ``directory``."""

    def save_checkpoint(self, directory: Path) -> None:
        """Write everything needed to continue training exactly here (weights, optimizer,
        replay buffer, random generators, step counters) into ``directory``. The teacher is
        checkpointed by the harness. Students that cannot resume leave this unimplemented and
        their interrupted runs restart from scratch."""
        raise NotImplementedError(f"{type(self).__name__} cannot checkpoint")

    def load_checkpoint(self, directory: Path) -> None:
        """Restore :meth:`save_checkpoint`'s state; the next :meth:`learn` continues from it,
        reporting env-step counts that go on from the checkpoint's. The harness loads into a
        fresh student (a resume is a new process), but a student that has trained already must
        accept a checkpoint too and then go on as a fresh student would from it."""
        raise NotImplementedError(f"{type(self).__name__} cannot checkpoint")

    def close(self) -> None:
        """Release what the student holds outside Python objects (env worker processes, shared
        memory); the harness calls it when the run ends. The default does nothing."""
