"""Level construction as a sequence of discrete choices: the adversary's episode in PAIRED.

PAIRED (Dennis et al. 2020) trains an adversary policy that builds each level step by step.
A :class:`LevelBuilder` is that construction process: ``n_steps`` choices among ``n_actions``,
each made from an observation of the level built so far, with a mask of the choices allowed
now. The PAIRED teacher runs its policy through a builder and never needs to know what a level
means.

Where a builder comes from: a task space with structured levels offers its own through a
``level_builder()`` method (the maze's places walls, then the goal, then the agent:
:mod:`envs.maze_builder`); any other task space gets a :class:`VectorBuilder`, which outputs the
task vector one dimension per step. Teachers never import envs: :func:`builder_for` finds the
method by name on the task space, the one type envs and teachers share.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace


class LevelBuilder(Protocol):
    """A level built by ``n_steps`` choices, each an integer in ``[0, n_actions)``.

    ``reset`` starts an empty level; then, ``n_steps`` times, the chooser reads
    ``observation()`` (``obs_dim`` floats) and ``mask()`` (``n_actions`` booleans, at least one
    true) and calls ``step(action)`` with an allowed action; ``level(rng)`` then returns the
    finished level as a valid task of the space (``rng`` draws whatever the choices leave open).
    The same actions always give the same observations, masks and level (for the same ``rng``
    state), so a construction can be replayed from its actions.
    """

    n_steps: int
    n_actions: int
    obs_dim: int

    def reset(self) -> None: ...

    def observation(self) -> NDArray[np.float32]: ...

    def mask(self) -> NDArray[np.bool_]: ...

    def step(self, action: int) -> None: ...

    def level(self, rng: np.random.Generator) -> Task: ...


def choices_per_dimension(task_space: TaskSpace, bins: int) -> NDArray[np.int_]:
    """How many values each dimension is chosen among: a discrete dimension's cardinality, a
    continuous one's ``bins`` equal intervals (shared by :class:`VectorBuilder` and
    :class:`~teachers.level_sequences.VectorCodec`)."""
    if bins < 1:
        raise ValueError(f"bins = {bins!r} must be >= 1")
    return np.where(task_space.discrete, task_space.high - task_space.low + 1, bins).astype(int)


class VectorBuilder:
    """Outputs a task vector one dimension per step, for any :class:`TaskSpace`.

    A continuous dimension is chosen among ``bins`` equal intervals of its range, its value then
    drawn uniformly inside the chosen interval; a discrete dimension is chosen among its values
    (the actions beyond its cardinality are masked). The observation is the one-hot index of
    the dimension being chosen, then the values chosen so far scaled to [0, 1] (interval
    centres; 0 where not chosen yet).
    """

    def __init__(self, task_space: TaskSpace, bins: int = 20) -> None:
        self.space = task_space
        self.choices = choices_per_dimension(task_space, bins)
        self.n_steps = len(task_space)
        self.n_actions = int(self.choices.max())
        self.obs_dim = 2 * self.n_steps
        self._picked = np.zeros(self.n_steps, dtype=int)
        self._t = 0

    def reset(self) -> None:
        self._picked[:] = 0
        self._t = 0

    def observation(self) -> NDArray[np.float32]:
        obs = np.zeros(self.obs_dim, dtype=np.float32)
        if self._t < self.n_steps:
            obs[self._t] = 1.0
        done = slice(0, self._t)
        obs[self.n_steps :][done] = (self._picked[done] + 0.5) / self.choices[done]
        return obs

    def mask(self) -> NDArray[np.bool_]:
        return np.arange(self.n_actions) < self.choices[self._t]

    def step(self, action: int) -> None:
        if not 0 <= action < self.choices[self._t]:
            raise ValueError(f"action {action} not allowed for dimension {self._t}")
        self._picked[self._t] = action
        self._t += 1

    def level(self, rng: np.random.Generator) -> Task:
        space = self.space
        jitter = rng.random(self.n_steps)
        unit = (self._picked + jitter) / self.choices
        continuous = space.low + unit * (space.high - space.low)
        return space.clip(np.where(space.discrete, space.low + self._picked, continuous))


def builder_for(task_space: TaskSpace, bins: int = 20) -> LevelBuilder:
    """The space's own ``level_builder()`` if it has one, else a :class:`VectorBuilder` with
    ``bins`` choices per continuous dimension."""
    make = getattr(task_space, "level_builder", None)
    return make() if callable(make) else VectorBuilder(task_space, bins)
