"""Shared ``reset`` of the aclbench envs built on a stock Gymnasium env.

Each such env subclasses the stock Gymnasium class and this mixin (mixin first), and writes one
hook, :meth:`TaskParamsMixin._apply_task`, that sets the stock env's physics attributes from the
task. ``reset`` does the bookkeeping in the order that makes episodes reproducible: seed the
generator, pick the task (given, or drawn from that generator), apply it, then run the stock
``reset`` (which draws the initial state from the same generator), and put a copy of the task in
``info``. The stock ``reset`` is called once, without the seed, so a costly one (LunarLander
rebuilds its Box2D world) does not run twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import NDArray

from aclbench.envs.core import task_from_options
from aclbench.errors import ConfigError
from aclbench.task_space import Task, TaskSpace


class TaskParamsMixin:
    """``reset(options={"task": ...})`` applies the task to the physics of a stock env."""

    task_space: TaskSpace
    task: Task

    def _apply_task(self, task: Task) -> None:
        """Set the stock env's physics attributes from ``task`` (already validated)."""
        raise NotImplementedError

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[Any], dict[str, Any]]:
        if seed is not None:  # seed before a default task is drawn from the generator
            gym.Env.reset(self, seed=seed)  # type: ignore[arg-type]
        task = task_from_options(self, options)  # type: ignore[arg-type]
        self.task = task
        self._apply_task(task)
        if options is not None and len(options) == 1 and "task" in options:
            options = None  # the stock reset parses the options it knows; spare it ours
        obs, info = super().reset(options=options)  # type: ignore[misc]
        info["task"] = task.copy()
        return obs, info


def initial_task(space: TaskSpace, values: dict[str, float]) -> Task:
    """The task that matches the stock env's own physics, clipped into ``space``.

    Used before the first ``reset`` so that ``task`` is always defined.
    """
    return np.asarray(space.clip(space.from_dict(values)), dtype=np.float64)


def check_physical_bounds(
    env: str, space: TaskSpace, lowest: Mapping[str, tuple[float, bool]]
) -> None:
    """Raise ConfigError where a dimension's bounds reach values the stock physics cannot take
    (a zero length divides by zero), so that bad bounds fail when the env is built, not as
    NaN observations in the middle of a run. ``lowest[name]``: ``(value, inclusive)``."""
    for dim in space.dims:
        if dim.name not in lowest:
            continue
        value, inclusive = lowest[dim.name]
        if dim.low < value or (dim.low == value and not inclusive):
            allowed = f"{'>=' if inclusive else '>'} {value:g}"
            raise ConfigError(
                f"{env}: {dim.name} bounds [{dim.low:g}, {dim.high:g}] leave the physics; "
                f"every {dim.name} must be {allowed}"
            )
