"""Arm-based teachers: curricula over a finite set of tasks, on any task space.

Bandit-style curricula (TSCL, EXP3.S, SEC, Mastering Rate) choose among a finite set of *arms*:
the levels of a game, the sizes of a maze. :class:`Arms` maps any :class:`TaskSpace` to arms, so
the same teachers also run on continuous or mixed spaces:

- a space with a single discrete dimension (``TaskSpace({"task": 5})``): one arm per value;
- any other space: a grid of bins. Each dimension is cut into equal bins (``bins=int``, or by
  default as many as keeps the grid at most :data:`MAX_DEFAULT_ARMS` arms, at most 10 per
  dimension; beyond 6 dimensions only the first 6 are halved), or at user-given edges
  (``bins={"x": [0.0, 0.3, 1.0], "y": 4}``, where dimensions not named get one bin). A
  discrete dimension never gets more bins than values.

The task of a chosen arm is drawn uniformly inside its bin. Feedback on any task of the space is
credited to the arm whose bin holds it.

:class:`ArmTeacher` does that bookkeeping; a subclass implements ``_choose_arm`` and, to learn,
``_update_arm``. The choice rules the papers use are the functions at the end of the module.
"""

from __future__ import annotations

import itertools
import math
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.errors import ConfigError
from aclbench.task_space import Dimension, Task, TaskSpace
from aclbench.teachers.base import Teacher
from aclbench.teachers.params import config_error

MAX_DEFAULT_ARMS = 64
"""Largest grid the default binning builds; a 6-D continuous space gets 2 bins per dimension."""

MAX_ARMS = 100_000
"""Largest grid :class:`Arms` builds at all (the teachers keep a few arrays per arm)."""

RETURN_LIMIT = 1e300
"""Returns beyond +-this count as +-this: the sums, differences and slopes of returns that the
arm teachers compute then stay finite, where returns near the float limit (1.8e308) would
overflow into NaN or infinite arm values that stop a teacher for good."""

BinsSpec = int | Mapping[str, int | Sequence[float]] | None
"""``None`` (default grid), a count of bins per dimension, or name -> count or edges."""


class _Axis:
    """The bins of one dimension: edges for a continuous one, value -> bin for a discrete one."""

    def __init__(self, dim: Dimension, spec: int | Sequence[float]) -> None:
        self.discrete = dim.discrete
        self.low = dim.low
        if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
            count = int(spec)
            if count < 1:
                raise ConfigError(f"bins for dimension {dim.name!r}: need >= 1, got {count}")
            count = 1 if dim.high == dim.low and not dim.discrete else count
            if dim.discrete:
                n = int(dim.n or 1)
                count = min(count, n)
                self.bin_of_value = np.floor((np.arange(n) + 0.5) * count / n).astype(np.int64)
            else:
                self.edges = np.linspace(dim.low, dim.high, count + 1)
        else:
            try:
                edges = np.asarray(spec, dtype=np.float64)
            except (TypeError, ValueError):
                edges = np.zeros(0)
            ok = edges.ndim == 1 and edges.size >= 2 and bool(np.all(np.diff(edges) > 0))
            if not ok or edges[0] != dim.low or edges[-1] != dim.high:
                raise ConfigError(
                    f"bins for dimension {dim.name!r}: give a count or edges that increase "
                    f"strictly from {dim.low:g} to {dim.high:g}, got {spec!r}"
                )
            count = edges.size - 1
            if dim.discrete:
                values = np.arange(dim.low, dim.high + 1.0)
                self.bin_of_value = np.clip(
                    np.searchsorted(edges, values, "right") - 1, 0, count - 1
                )
                empty = sorted(set(range(count)) - set(self.bin_of_value.tolist()))
                if empty:
                    raise ConfigError(
                        f"bins for discrete dimension {dim.name!r}: bins {empty} of edges "
                        f"{spec!r} hold no value; merge them"
                    )
            else:
                self.edges = edges
        self.count = count
        if dim.discrete:
            self.values_of_bin = [
                np.flatnonzero(self.bin_of_value == b) + dim.low for b in range(count)
            ]

    def bin_of(self, value: float) -> int:
        if self.discrete:
            return int(self.bin_of_value[int(round(value - self.low))])
        return int(np.clip(np.searchsorted(self.edges, value, "right") - 1, 0, self.count - 1))

    def sample(self, index: int, rng: np.random.Generator) -> float:
        if self.discrete:
            values = self.values_of_bin[index]
            return float(values[rng.integers(values.size)])
        return float(rng.uniform(self.edges[index], self.edges[index + 1]))

    def describe(self, index: int) -> list[float]:
        if self.discrete:
            values = self.values_of_bin[index]
            return [float(values[0]), float(values[-1])]
        return [float(self.edges[index]), float(self.edges[index + 1])]


def default_bins(task_space: TaskSpace) -> list[int]:
    """Bins per dimension when none are given (see the module docstring)."""
    if len(task_space) == 1 and task_space.dims[0].discrete:
        return [int(task_space.dims[0].n or 1)]
    for per_dim in range(10, 1, -1):
        counts = [min(per_dim, d.n) if d.n is not None else per_dim for d in task_space.dims]
        if math.prod(counts) <= MAX_DEFAULT_ARMS:
            return counts
    counts = [1] * len(task_space)  # too many dimensions: halve the first ones only
    for i, dim in enumerate(task_space.dims):
        if (dim.n is None or dim.n > 1) and 2 * math.prod(counts) <= MAX_DEFAULT_ARMS:
            counts[i] = 2
    return counts


class Arms:
    """The arms of a task space: a grid of bins, arm ``i`` being the ``i``-th cell in C order.

    Args:
        task_space: the space to cut.
        bins: see :data:`BinsSpec` and the module docstring.
    """

    def __init__(self, task_space: TaskSpace, bins: BinsSpec = None) -> None:
        if bins is None:
            specs: list[int | Sequence[float]] = list(default_bins(task_space))
        elif isinstance(bins, Mapping):
            unknown = sorted(set(bins) - set(task_space.names))
            if unknown:
                raise ConfigError(
                    f"bins name unknown dimensions {unknown}; dimensions: {list(task_space.names)}"
                )
            specs = [bins.get(name, 1) for name in task_space.names]
        elif isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
            specs = [int(bins)] * len(task_space)
        else:
            raise ConfigError(
                f"bins must be None, an int or a mapping dimension -> count or edges, got {bins!r}"
            )
        self.axes = [_Axis(dim, spec) for dim, spec in zip(task_space.dims, specs, strict=True)]
        self.shape = tuple(axis.count for axis in self.axes)
        self.n = math.prod(self.shape)
        if self.n > MAX_ARMS:
            raise ConfigError(f"bins {bins!r} make {self.n} arms, more than {MAX_ARMS}; use fewer")

    def arm_of(self, task: Task) -> int:
        """The arm whose bin holds ``task``."""
        index = tuple(axis.bin_of(v) for axis, v in zip(self.axes, task.tolist(), strict=True))
        return int(np.ravel_multi_index(index, self.shape))

    def sample(self, arm: int, rng: np.random.Generator) -> Task:
        """A task drawn uniformly inside ``arm``'s bin."""
        index = np.unravel_index(arm, self.shape)
        return np.array(
            [axis.sample(int(i), rng) for axis, i in zip(self.axes, index, strict=True)]
        )

    def describe(self) -> list[list[list[float]]]:
        """Per arm, per dimension, ``[low, high]`` of its bin (values for a discrete one)."""
        cells = itertools.product(*(range(c) for c in self.shape))
        return [
            [axis.describe(i) for axis, i in zip(self.axes, cell, strict=True)] for cell in cells
        ]


class ArmTeacher(Teacher):
    """Base class of teachers that choose among the arms of :class:`Arms`.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator.
        bins: how a space other than a single discrete dimension is cut into arms.

    Attributes:
        arms: the arm map; ``n_arms`` arms.
    """

    def __init__(
        self, task_space: TaskSpace, *, seed: int | None = None, bins: BinsSpec = None
    ) -> None:
        super().__init__(task_space, seed=seed)
        try:
            self.arms = Arms(task_space, bins)
        except ConfigError as err:
            raise config_error(self, str(err)) from None
        self.n_arms = self.arms.n

    def _sample_task(self) -> Task:
        return self.arms.sample(self._choose_arm(), self.rng)

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        bounded = min(max(episode_return, -RETURN_LIMIT), RETURN_LIMIT)
        self._update_arm(self.arms.arm_of(task), bounded)

    @abstractmethod
    def _choose_arm(self) -> int:
        """The arm of the next task; draw randomness from ``self.rng`` only."""

    def _update_arm(self, arm: int, episode_return: float) -> None:
        """Learn from one episode on ``arm``; ``self.episodes`` episodes came before it. The
        return is within +-:data:`RETURN_LIMIT`."""


# --- choice rules: arm values -> probabilities ---------------------------------------------
def greedy_probabilities(values: NDArray[np.float64], epsilon: float) -> NDArray[np.float64]:
    """Epsilon-greedy: ``1 - epsilon`` shared by the best arms (ties), ``epsilon`` uniform."""
    best = values == values.max()
    return (1.0 - epsilon) * best / best.sum() + epsilon / values.size


def boltzmann_probabilities(values: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """``p_i`` proportional to ``exp(values_i / temperature)`` (shifted for stability)."""
    weights = np.exp((values - values.max()) / temperature)
    return weights / weights.sum()


def draw(probabilities: NDArray[np.float64], rng: np.random.Generator) -> int:
    """An arm drawn from ``probabilities`` (need not sum exactly to 1)."""
    cumulative = np.cumsum(probabilities)
    index = np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right")
    return int(min(index, probabilities.size - 1))
