"""Rollouts that are all replays or all new levels, for Robust PLR and ACCEL.

Robust PLR (Jiang et al. NeurIPS 2021, "Replay-Guided Adversarial Environment Design") and ACCEL
(Parker-Holder et al. ICML 2022) decide once per rollout whether the student replays levels from
the buffer or plays new ones, and take no gradient step on rollouts of new levels. A teacher
that works this way declares the ``rollout_mode`` capability and implements
``begin_rollout() -> bool`` (true = replay), with ``train_on_new_levels`` (:mod:`teachers.plr`);
an on-policy SB3 student then trains in a :class:`RolloutModeLoop`: with
:class:`RolloutModeCallback` and an algorithm class built by :func:`with_update_gate`.

The guarantee. Every step of a rollout is played on a task the teacher sampled under that
rollout's decision: a replay rollout holds replayed levels only, a new-level rollout new levels
only. Tasks travel one episode ahead (:mod:`students.callback`), so when a rollout starts, each
env is playing a task and holds the next one, both sampled under the previous rollout's
decision. If the new decision is the same, they are kept and episodes carry over the rollout
boundary. If it differs, the callback samples a fresh current and next task for every env,
writes them into the task slots and resets every env before the rollout's first step (the
reference implementation resets at every rollout). An episode cut this way is never reported to
``teacher.update`` or to the listener (it did not finish); its steps belong to the previous
rollout, where the student's value bootstrap treats it as truncated, and PLR scores it from those
steps as an episode that ended there. The tasks queued but never played are dropped.

The gradient step on a rollout is skipped when its decision is "new levels" and the teacher's
``train_on_new_levels`` is false; the rollout is still collected and passed to
``teacher.on_rollout_end`` (that is how new levels get their scores).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm

from aclbench.students.callback import CurriculumCallback
from aclbench.students.loops import PlainLoop, require_on_policy
from aclbench.students.wrapper import TaskSlots
from aclbench.teachers.base import Teacher


class UpdateGate:
    """Mixin for an SB3 on-policy algorithm: ``train()`` does nothing while ``skip_update``.

    Attributes:
        skip_update: set before each rollout by :class:`RolloutModeCallback`.
        skipped_updates: gradient updates skipped so far.
    """

    skip_update: bool = False
    skipped_updates: int = 0

    def train(self) -> None:
        if self.skip_update:
            self.skipped_updates += 1
            return
        super().train()  # type: ignore[misc]


@functools.cache
def with_update_gate(algorithm: type[OnPolicyAlgorithm]) -> type[OnPolicyAlgorithm]:
    """``algorithm`` (SB3's ``PPO``...) with :class:`UpdateGate` mixed in, under the same name,
    so that saved models load with the plain class."""
    return type(algorithm.__name__, (UpdateGate, algorithm), {"__module__": __name__})


class RolloutModeCallback(CurriculumCallback):
    """:class:`~students.callback.CurriculumCallback` for a teacher with ``rollout_mode``.

    Calls ``teacher.begin_rollout()`` at the start of every rollout (the first decision is
    taken in :meth:`prime`, before the first tasks are sampled), restarts the envs when the
    decision changes (module docstring), and gates the next gradient update.

    Attributes:
        replay: the decision of the rollout under way (or about to start).
        restarts: rollouts that began by restarting the envs.
    """

    def __init__(
        self, teacher: Teacher, slots: TaskSlots, *, record_rollouts: bool = False
    ) -> None:
        if not teacher.capabilities.rollout_mode:
            raise TypeError(f"{type(teacher).__name__} does not declare rollout_mode")
        super().__init__(teacher, slots, record_rollouts=record_rollouts)
        self.replay: bool | None = None
        self.restarts = 0
        self._decided = False  # true when the coming rollout's decision is already taken
        self._train_on_new = teacher.train_on_new_levels

    def prime(self) -> None:
        self.replay = self.teacher.begin_rollout()
        self._decided = True
        super().prime()

    def _on_rollout_start(self) -> None:
        super()._on_rollout_start()
        if not self._decided:
            replay = self.teacher.begin_rollout()
            if replay != self.replay:
                self.replay = replay
                self._restart_envs()
        self._decided = False
        if isinstance(self.model, UpdateGate):
            self.model.skip_update = not (self.replay or self._train_on_new)

    def _init_callback(self) -> None:
        if not (self._train_on_new or isinstance(self.model, UpdateGate)):
            raise TypeError(
                f"{type(self.teacher).__name__} trains on replays only; the student's algorithm "
                "must be built by students.rollout_modes.with_update_gate"
            )

    def _restart_envs(self) -> None:
        """New current and next tasks for every env, then a reset of all envs onto them."""
        n_envs = len(self.current)
        for e in range(n_envs):
            self.current[e] = self.teacher.sample_task()
            self.slots.write(e, self.next_episode[e], self.current[e])
        for e in range(n_envs):
            self.queued[e] = self.teacher.sample_task()
            self.slots.write(e, self.next_episode[e] + 1, self.queued[e])
        # Each env's next reset reads episode `next_episode[e]`: the current task just written.
        self.model._last_obs = self.training_env.reset()  # type: ignore[assignment]
        self.model._last_episode_starts = np.ones(n_envs, dtype=bool)
        self.next_episode += 1
        self.restarts += 1


class RolloutModeLoop(PlainLoop):
    """The training loop of a teacher with ``rollout_mode``: an on-policy algorithm with
    :class:`UpdateGate`, trained with :class:`RolloutModeCallback`."""

    callback_class = RolloutModeCallback

    @classmethod
    def check_config(
        cls, teacher: Teacher, algorithm: type[BaseAlgorithm], config: dict[str, Any]
    ) -> None:
        require_on_policy(teacher, algorithm, "needs on-policy rollouts")

    @classmethod
    def model_class(cls, algorithm: type[BaseAlgorithm]) -> type[BaseAlgorithm]:
        if not issubclass(algorithm, OnPolicyAlgorithm):  # refused by check_config already
            raise TypeError(f"{algorithm.__name__} is not an on-policy algorithm")
        return with_update_gate(algorithm)
