"""A teacher and a listener that record everything a student tells them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from aclbench.task_space import Task
from aclbench.teachers.base import Capabilities, Rollout
from aclbench.teachers.random_teacher import RandomTeacher


class SpyTeacher(RandomTeacher):
    """Uniform tasks; records every proposal, feedback and rollout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposed: list[Task] = []
        self.received: list[tuple[Task, float]] = []
        self.rollouts: list[Rollout] = []

    def _sample_task(self) -> Task:
        task = super()._sample_task()
        self.proposed.append(task.copy())
        return task

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        self.received.append((task.copy(), episode_return))

    def _on_rollout_end(self, rollout: Rollout) -> None:
        self.rollouts.append(rollout)


class RolloutSpyTeacher(SpyTeacher):
    capabilities = Capabilities(rollouts=True)


class RecordingListener:
    def __init__(self) -> None:
        self.episodes: list[tuple[Task, float, int]] = []
        self.steps: list[int] = []

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        self.episodes.append((task.copy(), episode_return, env_steps))

    def on_steps(self, env_steps: int) -> None:
        self.steps.append(env_steps)


def key(task: np.ndarray) -> tuple[float, ...]:
    return tuple(np.asarray(task).tolist())
