"""A teacher seen through a rugged task space: TeachMyAgent's rugged-difficulty challenge.

:class:`RuggedTeacher` wraps any teacher: the inner teacher samples and learns in its own copy
of the task space, every task it proposes reaches the env moved by a
:class:`~aclbench.rugged.CellShuffle`, and every task fed back (an episode's, a rollout's)
is moved back before the inner teacher sees it. Students, envs and the test set are
unchanged: the test set stays in the env's space, as in TeachMyAgent (Romac et al., ICML 2021),
whose teacher controller maps sampled tasks the same way. The harness builds it for a run with
a ``rugged`` table (:mod:`aclbench.harness.config`).

A task fed back is the one the inner teacher proposed where the env played it unchanged (kept
by value until its feedback arrives), so teachers that look their own tasks up by value (level
buffers, tasks awaiting feedback) find them; other tasks are moved back by
:meth:`~aclbench.rugged.CellShuffle.inverse`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from aclbench.errors import ConfigError
from aclbench.rugged import CellShuffle
from aclbench.task_space import Task, task_key
from aclbench.teachers.base import Rollout, Teacher


class RuggedTeacher(Teacher):
    """``inner`` proposing tasks through ``shuffle`` (module docstring).

    Args:
        inner: the teacher being challenged; its capabilities are this teacher's.
        shuffle: the bijection of ``inner.task_space``.

    Raises:
        ConfigError: an adversarial teacher (PAIRED builds whole levels itself), or a shuffle
            of another task space.
    """

    def __init__(self, inner: Teacher, shuffle: CellShuffle) -> None:
        if inner.capabilities.adversarial:
            raise ConfigError(
                f"rugged: teacher {type(inner).__name__} builds levels adversarially; a rugged "
                "task space applies to teachers that sample tasks"
            )
        if shuffle.space != inner.task_space:
            raise ConfigError("rugged: the shuffle is of another task space than the teacher's")
        super().__init__(inner.task_space, seed=inner.seed)
        self.inner, self.shuffle = inner, shuffle
        self.capabilities = inner.capabilities
        self.train_on_new_levels = inner.train_on_new_levels  # type: ignore[misc]
        self.resolved_params = inner.resolved_params
        self._pending: defaultdict[bytes, list[Task]] = defaultdict(list)

    def _sample_task(self) -> Task:
        own = self.inner.sample_task()
        moved = self.shuffle.forward(own)
        self._pending[task_key(moved)].append(own)
        return moved

    def _own_task(self, task: Task) -> Task:
        waiting = self._pending.get(task_key(task))
        if not waiting:
            return self.shuffle.inverse(task)
        own = waiting.pop(0)
        if not waiting:
            del self._pending[task_key(task)]
        return own

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        self.inner.update(self._own_task(task), episode_return, success=success, info=info)

    def _on_rollout_end(self, rollout: Rollout) -> None:
        self.inner.on_rollout_end(replace(rollout, tasks=self.shuffle.inverse_many(rollout.tasks)))

    def begin_rollout(self) -> bool:
        return self.inner.begin_rollout()

    def inner_state(self) -> dict[str, Any]:
        """The inner teacher's, in its own (unshuffled) space."""
        return self.inner.inner_state()

    def state_dict(self) -> dict[str, Any]:
        return {
            "inner": self.inner.state_dict(),
            "pending": {key: [t.copy() for t in tasks] for key, tasks in self._pending.items()},
            "episodes": self.episodes,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.inner.load_state_dict(state["inner"])
        self._pending = defaultdict(list)
        for key, tasks in state["pending"].items():
            self._pending[key] = [np.array(t, dtype=np.float64) for t in tasks]
        self.episodes = state["episodes"]

    def __repr__(self) -> str:
        return f"RuggedTeacher({self.inner!r}, {self.shuffle.to_config()})"


def make_rugged(teacher: Teacher, config: Mapping[str, Any]) -> Teacher:
    """``teacher`` through the shuffle of a run's ``rugged`` table; ``teacher`` itself where
    the table is empty (no challenge). Raises ConfigError on a bad table."""
    if not config:
        return teacher
    return RuggedTeacher(teacher, CellShuffle.from_config(teacher.task_space, config))
