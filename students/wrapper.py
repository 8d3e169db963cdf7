"""The env side of the teacher channel: tasks read from shared memory, (task, return) reported.

Each training env (in the main process under ``DummyVecEnv``, or in a worker process under
``SubprocVecEnv``) is wrapped in :class:`CurriculumWrapper`. The main process writes the task of
each env's coming episodes into :class:`TaskSlots`, a small shared-memory array; every ``reset``
plays the task written for its episode number, and the last step of every episode reports, in
its ``info``, the task the env says it played and the undiscounted sum of the env's raw rewards.

Why shared memory rather than ``VecEnv.env_method``: SB3 resets a finished env inside the
worker, so the next task must be there before the main process even sees the episode end, and
pushing it later with ``env_method`` costs a blocking round trip to the workers on every step
where an episode ends, a large share of PPO's throughput on cheap envs (measured by
``python -m benchmarks.perf.throughput``; figures in
``results/perf/2026-12-04-students-docstring-figures.md``); a write into shared memory is
nearly free. The main process writes only while every worker waits for its next command
(SB3's vectorized envs are synchronous), and the pipe message carrying that command orders the
write before the worker's read.
"""

from __future__ import annotations

from multiprocessing import shared_memory
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec
from numpy.typing import ArrayLike, NDArray

from aclbench.envs.core import task_env
from aclbench.task_space import Task

TASK_KEY = "aclbench_task"
"""``info`` key of an episode's last step: the task the episode was played on, ``(n_dims,)``."""
RETURN_KEY = "aclbench_return"
"""``info`` key of an episode's last step: the undiscounted sum of the env's rewards."""


class TaskSlots:
    """The tasks of each env's next episodes: ``n_envs`` x ``depth`` slots in shared memory.

    Episode ``k`` of env ``e`` reads slot ``(e, k % depth)``, which holds ``[k, *task]``; a slot
    whose number is not ``k`` has not been written for this episode. Pickles by name, so a
    worker process attaches to the same memory.

    Args:
        name: attach to this existing block instead of creating one.
    """

    def __init__(self, n_envs: int, depth: int, n_dims: int, name: str | None = None) -> None:
        self.shape = (n_envs, depth, 1 + n_dims)
        size = int(np.prod(self.shape)) * 8
        self._owner = name is None
        self._memory = shared_memory.SharedMemory(name=name, create=self._owner, size=size)
        self.slots: NDArray[np.float64] = np.ndarray(self.shape, np.float64, self._memory.buf)
        if self._owner:
            self.slots[..., 0] = -1.0

    @property
    def name(self) -> str:
        """Name of the shared-memory block."""
        return self._memory.name

    def __reduce__(self) -> tuple[Any, ...]:
        n_envs, depth, width = self.shape
        return TaskSlots, (n_envs, depth, width - 1, self.name)

    def write(self, env: int, episode: int, task: ArrayLike) -> None:
        self.slots[env, episode % self.shape[1]] = (episode, *np.asarray(task, np.float64))

    def read(self, env: int, episode: int) -> Task | None:
        """The task written for ``episode`` of ``env``, or ``None``."""
        row = self.slots[env, episode % self.shape[1]]
        return row[1:].copy() if row[0] == episode else None

    def unlink(self) -> None:
        """Free the memory (owner only); attached processes keep their mapping until they exit."""
        del self.slots
        self._memory.close()
        if self._owner:
            self._memory.unlink()


class CurriculumWrapper(gym.Wrapper):
    """Plays the task written for each episode and reports (task, return) at its end.

    Args:
        env: an aclbench env (see :class:`envs.core.TaskEnv`), possibly already wrapped.
        slots: where this env's tasks are written.
        index: this env's row in ``slots``.

    Every ``reset`` starts a new episode number. An explicit ``options["task"]`` wins; with no
    task written for the episode (an evaluation env that has played its share), the env draws
    its own default task.
    """

    def __init__(self, env: gym.Env, slots: TaskSlots, index: int) -> None:
        super().__init__(env)
        self.slots = slots
        self.index = index
        self.episodes = 0
        self._task: Task | None = None
        self._return = 0.0

    def next_task(self) -> Task | None:
        """The task written for the next episode, if any (for tests and debugging)."""
        return self.slots.read(self.index, self.episodes)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        options = dict(options or {})
        if options.get("task") is None:
            options["task"] = self.slots.read(self.index, self.episodes)
        self.episodes += 1
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


def make_wrapped_env(
    spec: EnvSpec, env_kwargs: dict[str, Any], slots: TaskSlots, index: int
) -> gym.Env:
    """Env factory for SB3's vectorized envs: picklable (by ``functools.partial``) and building
    from a spec, so that a worker process needs no registration of its own."""
    return CurriculumWrapper(gym.make(spec, **env_kwargs), slots, index)
