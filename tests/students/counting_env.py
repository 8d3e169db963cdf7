"""A tiny test env whose episodes are functions of the task and which logs what it played.

Task ``(length, tag)``: an episode lasts ``length`` steps and each step pays ``tag * (1 + |a|)``,
so a return paired with the wrong task is detectable. ``started`` lists the task of every reset
and ``history`` the (task, return) of every finished episode, as the env itself saw them: the
ground truth a student's teacher feedback is checked against, even in worker processes.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from aclbench.envs.core import EnvEntry, task_from_options
from aclbench.task_space import Task, TaskSpace

GYM_ID = "aclbench-test/Counting-v0"


class CountingEnv(gym.Env):
    mastered_threshold = 1.0

    def __init__(self, continuous: bool = False, max_length: int = 4) -> None:
        self.task_space = TaskSpace(
            {"length": spaces.Discrete(max_length, start=1), "tag": (0.0, 1.0)}
        )
        self.observation_space = spaces.Box(0.0, float(max_length), (3,), np.float32)
        self.action_space = (
            spaces.Box(-1.0, 1.0, (1,), np.float32) if continuous else spaces.Discrete(2)
        )
        self.task: Task = self.task_space.low.copy()
        self.started: list[Task] = []
        self.history: list[tuple[Task, float]] = []
        self._t, self._return = 0, 0.0

    def test_tasks(self) -> np.ndarray:
        return self.task_space.grid(2)

    def _obs(self) -> np.ndarray:
        return np.array([self.task[0], self.task[1], self._t], dtype=np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        self.task = task_from_options(self, options)
        self.started.append(self.task.copy())
        self._t, self._return = 0, 0.0
        return self._obs(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self._t += 1
        reward = float(self.task[1]) * (1.0 + float(np.abs(action).sum()))
        self._return += reward
        terminated = self._t >= self.task[0]
        if terminated:
            self.history.append((self.task.copy(), self._return))
        return self._obs(), reward, terminated, False, {}


def register(monkeypatch: Any) -> str:
    """Register the env as ``counting`` for one test (undone by ``monkeypatch``)."""
    from aclbench.envs.core import ENVS

    if GYM_ID not in gym.registry:
        gym.register(id=GYM_ID, entry_point="tests.students.counting_env:CountingEnv")
    monkeypatch.setitem(ENVS._entries, "counting", EnvEntry("counting", GYM_ID, "test env"))
    return "counting"
