"""How an SB3 student trains its model with its teacher: one strategy per kind of teacher.

:class:`~students.sb3.SB3Student` builds the model and the envs; a :class:`TrainingLoop`, chosen
from the teacher's declared :class:`~teachers.base.Capabilities` only (never from the methods it
happens to have), runs training and keeps what that way of training needs across checkpoints:

- :class:`PlainLoop`: SB3's own ``learn`` with the teacher channel of
  :class:`~students.callback.CurriculumCallback` (every teacher without the two below);
- :class:`~students.rollout_modes.RolloutModeLoop`: rollouts of replays only or of new levels
  only, for a teacher with ``rollout_mode`` (PLR, Robust PLR, ACCEL);
- :class:`~students.paired.PairedLoop`: PAIRED rounds with a second model, for a teacher with
  ``adversarial`` (PAIRED's adversary).

A loop reaches its student through :class:`LoopStudent`, the few attributes it uses, so that
no loop module imports :mod:`students.sb3`.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar, Protocol

from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback, CallbackList
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.vec_env import VecEnv

from aclbench.envs.curriculum import Curriculum, TaskSlots
from aclbench.errors import ConfigError
from aclbench.students.base import TrainingListener
from aclbench.students.callback import CurriculumCallback
from aclbench.students.forgetting import ForgettingCallback
from aclbench.teachers.base import Teacher


class LoopStudent(Protocol):
    """What a training loop uses of its SB3 student (:class:`~students.sb3.SB3Student`)."""

    teacher: Teacher
    model: BaseAlgorithm
    slots: TaskSlots
    curriculum: Curriculum | None  # None for a teacher that writes the levels itself (PAIRED)
    seed: int
    reset_every: int  # env steps between resets of a forgetting student; 0: never

    def new_model(self, slots: TaskSlots, seed: int) -> tuple[VecEnv, BaseAlgorithm]:
        """Another model of the student's algorithm and hyperparameters, on envs of its own
        that read their tasks from ``slots``; the caller closes the envs."""
        ...


class TrainingLoop(ABC):
    """A way of training an SB3 student's model with its teacher (module docstring).

    Args:
        student: its ``model`` is trained (read at every ``learn``: a checkpoint loads a new one).
    """

    def __init__(self, student: LoopStudent) -> None:
        self.student = student
        self.teacher = student.teacher

    @classmethod
    def check_config(
        cls, teacher: Teacher, algorithm: type[BaseAlgorithm], config: dict[str, Any]
    ) -> None:
        """Raise ConfigError where this loop cannot train ``algorithm`` built with ``config``
        (its resolved constructor arguments) for ``teacher``. The default: a teacher that
        declares ``rollouts`` needs an on-policy algorithm."""
        if teacher.capabilities.rollouts:
            require_on_policy(teacher, algorithm, "needs on-policy rollouts")

    @classmethod
    def model_class(cls, algorithm: type[BaseAlgorithm]) -> type[BaseAlgorithm]:
        """The class the student's model is built with; the default is ``algorithm`` itself."""
        return algorithm

    @abstractmethod
    def learn(self, total_steps: int, listener: TrainingListener) -> None:
        """Train for ``total_steps`` more env steps, reporting to ``listener``."""

    def save(self, directory: Path) -> None:
        """Write what the loop adds to the student's final ``model.zip``; nothing by default."""

    def save_checkpoint(self, directory: Path) -> None:
        """Write the loop's state beside the student's checkpoint; nothing by default."""

    @abstractmethod
    def load_checkpoint(self, directory: Path) -> None:
        """Go on from :meth:`save_checkpoint`'s state; the student's model is loaded first and
        the global random generators are restored after."""

    def close(self) -> None:
        """Release what the loop holds outside Python objects; nothing by default."""


def require_on_policy(teacher: Teacher, algorithm: type[BaseAlgorithm], why: str) -> None:
    """Raise ConfigError, saying that ``teacher`` ``why``, unless ``algorithm`` is on-policy."""
    if not issubclass(algorithm, OnPolicyAlgorithm):
        raise ConfigError(
            f"teacher {type(teacher).__name__} {why}, which student "
            f"{algorithm.__name__.lower()!r} does not produce; use an on-policy student "
            "('ppo' or 'a2c')"
        )


class PlainLoop(TrainingLoop):
    """SB3's ``learn`` with the teacher channel: tasks one episode ahead, every finished
    episode fed back once (:mod:`students.callback`), and each rollout passed on to a teacher
    that declares ``rollouts``; with the student's ``reset_every``, the forgetting student's
    resets (:mod:`students.forgetting`)."""

    callback_class: ClassVar[type[CurriculumCallback]] = CurriculumCallback
    FORGETTING_FILE: ClassVar[str] = "forgetting.json"

    def __init__(self, student: LoopStudent) -> None:
        super().__init__(student)
        self.callback = self._new_callback()
        self.forgetting = ForgettingCallback(student.reset_every) if student.reset_every else None
        self.started = False  # the first learn starts SB3's counters
        self.resumed = False  # a checkpoint was loaded: SB3's counters go on from it

    def _new_callback(self) -> CurriculumCallback:
        """The teacher channel of the training envs (the student's curriculum)."""
        curriculum = self.student.curriculum
        if curriculum is None:
            raise TypeError(f"{type(self).__name__} needs the student's curriculum")
        return self.callback_class(curriculum, record_rollouts=self.teacher.capabilities.rollouts)

    def learn(self, total_steps: int, listener: TrainingListener) -> None:
        self.callback.listener = listener
        callback: BaseCallback = self.callback
        if self.forgetting is not None:
            callback = CallbackList([self.callback, self.forgetting])
        try:
            self.student.model.learn(
                total_steps,
                callback=callback,
                reset_num_timesteps=not (self.started or self.resumed),
            )
        finally:
            self.callback.listener = None  # keep nothing of the harness's alive after training
        self.started = True

    def save_checkpoint(self, directory: Path) -> None:
        if self.forgetting is not None:
            resets = json.dumps({"resets": self.forgetting.resets})
            (Path(directory) / self.FORGETTING_FILE).write_text(resets)

    def load_checkpoint(self, directory: Path) -> None:
        """The teacher channel restarts as in a fresh student (the student restarts its
        curriculum), and SB3's counters and the forgetting student's resets go on from the
        checkpoint's."""
        self.callback = self._new_callback()
        if self.forgetting is not None:
            saved = json.loads((Path(directory) / self.FORGETTING_FILE).read_text())
            self.forgetting.resets = int(saved["resets"])
        self.started = False
        self.resumed = True
