"""The mistake a teacher copy warning is for: an env wrapper that calls the teacher itself.

Samples the task of each episode from ``teacher`` at reset and feeds the return back at its
end, in whatever process the env runs, and records the :class:`TeacherCopyWarning` raised
there, for a test to read with ``get_attr("copy_warnings")``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, SupportsFloat

import gymnasium as gym

from aclbench.envs import make_env
from aclbench.errors import TeacherCopyWarning
from aclbench.teachers.base import Teacher


class HandWrappedEnv(gym.Wrapper):
    def __init__(self, env: gym.Env, teacher: Teacher) -> None:
        super().__init__(env)
        self.teacher = teacher
        self.copy_warnings: list[str] = []
        self._return = 0.0
        self._task: Any = None

    def _call(self, method: Callable[..., Any], *args: Any) -> Any:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = method(*args)
        self.copy_warnings += [str(w.message) for w in caught if w.category is TeacherCopyWarning]
        return result

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> Any:
        self._task = self._call(self.teacher.sample_task)
        self._return = 0.0
        return self.env.reset(seed=seed, options={"task": self._task})

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._return += float(reward)
        if terminated or truncated:
            self._call(self.teacher.update, self._task, self._return)
        return obs, reward, terminated, truncated, info


def make_hand_wrapped(teacher: Teacher) -> HandWrappedEnv:
    return HandWrappedEnv(make_env("cartpole"), teacher)
