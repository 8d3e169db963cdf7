"""The aclbench env protocol, and the registry of envs by short name.

An aclbench env is a Gymnasium env that additionally has

- ``task_space``: a :class:`~aclbench.task_space.TaskSpace`;
- ``task``: the task of the current episode, set at ``reset(options={"task": task})``, or drawn
  from the env's seeded ``np_random`` when no task is given;
- ``mastered_threshold``: an episode return strictly above it means the task is solved;
- ``test_tasks()``: the fixed held-out test set, ``n_tasks`` x ``n_dims``, the same on every
  call (it is saved with the results).

The task changes the generated world (stump heights, pole length, maze walls), never the
observation or action spaces, so one policy can be trained across the whole task space.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from aclbench.registry import Registry
from aclbench.task_space import Task, TaskSpace


@runtime_checkable
class TaskEnv(Protocol):
    """What an env must have, beyond ``gymnasium.Env``, to be trained on with a teacher.

    ``task_space`` and ``mastered_threshold`` are read-only here, so that an env may narrow the
    space's type (the maze's ``MazeTaskSpace``) or compute the threshold (a property).
    """

    task: Task

    @property
    def task_space(self) -> TaskSpace: ...

    @property
    def mastered_threshold(self) -> float: ...

    def test_tasks(self) -> NDArray[np.float64]: ...


def task_from_options(env: TaskEnv, options: Mapping[str, Any] | None) -> Task:
    """The task an env's ``reset`` should apply: ``options["task"]`` if given (validated, as an
    array or a ``name -> value`` mapping), else a uniform one from the env's ``np_random``."""
    task = None if options is None else options.get("task")
    if task is None:
        return env.task_space.sample(env.np_random)  # type: ignore[attr-defined]
    return env.task_space.validate(task)


@dataclass(frozen=True)
class EnvEntry:
    """A registered aclbench env: its short CLI name and its Gymnasium id."""

    name: str
    gym_id: str
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    def make(self, **kwargs: Any) -> gym.Env:
        """``gymnasium.make`` with the registered defaults, overridden by ``kwargs``."""
        return gym.make(self.gym_id, **{**self.kwargs, **kwargs})


ENVS: Registry[EnvEntry] = Registry("env")


def register_env(
    name: str,
    gym_id: str,
    entry_point: str,
    description: str,
    *,
    max_episode_steps: int | None = None,
    **kwargs: Any,
) -> None:
    """Register with Gymnasium (``gym_id`` in the ``aclbench/`` namespace) and by short name."""
    gym.register(id=gym_id, entry_point=entry_point, max_episode_steps=max_episode_steps)
    ENVS.add(name, EnvEntry(name, gym_id, description, kwargs))


def make_env(name: str, **kwargs: Any) -> gym.Env:
    """Make the env registered under the short ``name`` (``"cartpole"``)."""
    return ENVS.get(name).make(**kwargs)


def task_env(env: gym.Env) -> TaskEnv:
    """The innermost env, checked to follow the :class:`TaskEnv` protocol."""
    inner = env.unwrapped
    if not isinstance(inner, TaskEnv):
        raise TypeError(
            f"{type(inner).__name__} is not an aclbench env: it needs task_space, task, "
            "mastered_threshold and test_tasks()"
        )
    return inner
