"""The env side of the teacher channel: a wrapper that plays the tasks it is sent, in order.

Each training env (in the main process under ``DummyVecEnv``, or in a worker process under
``SubprocVecEnv``) is wrapped in :class:`CurriculumWrapper`. The main process pushes tasks into
the wrapper's queue with ``VecEnv.env_method("push_tasks", ...)`` (``set_attr`` would only reach
the outermost wrapper, see STYLE.md item 4), every ``reset`` plays the next queued task, and the
last step of every episode reports, in its ``info``, the task the env says it played and the
undiscounted sum of the env's raw rewards. SB3 resets a finished env inside the worker, before
the main process sees the step, so the queue must already hold the next task at that moment:
:mod:`students.callback` keeps it one episode ahead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec
from numpy.typing import ArrayLike

from aclbench.task_space import Task
from envs.core import task_env

TASK_KEY = "aclbench_task"
"""``info`` key of an episode's last step: the task the episode was played on, ``(n_dims,)``."""
RETURN_KEY = "aclbench_return"
"""``info`` key of an episode's last step: the undiscounted sum of the env's rewards."""


class CurriculumWrapper(gym.Wrapper):
    """Plays queued tasks one episode each and reports (task, return) at each episode's end.

    Args:
        env: an aclbench env (see :class:`envs.core.TaskEnv`), possibly already wrapped.
        index: this env's index in its vectorized env, so that one batched ``env_method`` call
            can carry a different task for each env.

    With an empty queue (evaluation envs that have played all their tasks), ``reset`` lets the
    env draw its own default task; training never lets the queue run dry.
    """

    def __init__(self, env: gym.Env, index: int = 0) -> None:
        super().__init__(env)
        self.index = index
        self.queue: deque[ArrayLike] = deque()
        self._task: Task | None = None
        self._return = 0.0

    def push_tasks(self, tasks: Mapping[int, ArrayLike]) -> None:
        """Queue ``tasks[self.index]`` (``k`` x ``n_dims``) if present; other envs' are ignored."""
        mine = tasks.get(self.index)
        if mine is not None:
            self.queue.extend(np.atleast_2d(np.asarray(mine, dtype=np.float64)))

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        options = dict(options or {})
        if options.get("task") is None and self.queue:
            options["task"] = self.queue.popleft()
        obs, info = self.env.reset(seed=seed, options=options)
        self._task = task_env(self.env).task.copy()
        self._return = 0.0
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._return += float(reward)
        if terminated or truncated:
            info[TASK_KEY] = self._task
            info[RETURN_KEY] = self._return
        return obs, reward, terminated, truncated, info


def make_wrapped_env(spec: EnvSpec, env_kwargs: Mapping[str, Any], index: int) -> gym.Env:
    """Env factory for SB3's vectorized envs: picklable (by ``functools.partial``) and building
    from a spec, so that a worker process needs no registration of its own."""
    return CurriculumWrapper(gym.make(spec, **env_kwargs), index)
