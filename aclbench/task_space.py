"""The task-parameter space: the one type that environments and teachers share.

A task is a point in an ordered set of named dimensions (``stump_height``, ``gravity``...).
Each dimension is continuous, a closed interval ``[low, high]``, or discrete, ``n`` integer
choices ``start .. start + n - 1``. A task is held as a 1-D ``float64`` array with one entry
per dimension, in the space's order (discrete entries hold whole numbers), because that is what
teachers compute with: nearest neighbours, Gaussian mixtures, regions. ``to_dict`` gives the
named view that environments read.

The space subclasses :class:`gymnasium.spaces.Space` and is built from Gymnasium's own scalar
``Box`` and ``Discrete`` spaces, so it seeds and samples like any Gymnasium space.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces
from numpy.typing import ArrayLike, NDArray

from aclbench.errors import InvalidTaskError

_FLOAT64 = np.dtype(np.float64)

Task = NDArray[np.float64]
"""A task: shape ``(n_dims,)``, ``float64``, one entry per dimension in the space's order."""

DimensionSpec = spaces.Box | spaces.Discrete | tuple[float, float] | int
"""What :class:`TaskSpace` accepts for one dimension: a scalar ``Box`` or ``(low, high)`` for a
continuous dimension, a ``Discrete`` or an ``int`` ``n`` for a discrete one."""


@dataclass(frozen=True)
class Dimension:
    """One named axis of a task space. Discrete values are ``low, low + 1, ..., high``."""

    name: str
    low: float
    high: float
    discrete: bool = False

    @property
    def n(self) -> int | None:
        """Number of choices of a discrete dimension, ``None`` for a continuous one."""
        return int(self.high - self.low) + 1 if self.discrete else None

    def describe(self) -> str:
        if self.discrete:
            return f"{self.name}: {{{self.low:g}..{self.high:g}}}"
        return f"{self.name}: [{self.low:g}, {self.high:g}]"


def task_key(task: ArrayLike) -> bytes:
    """A hashable identity of a task's values, for teachers that look tasks up (a level
    buffer, tasks awaiting feedback): its float64 bytes, ``-0.0`` counted as ``0.0``."""
    return (np.asarray(task, dtype=np.float64) + 0.0).tobytes()


def _make_dimension(name: str, spec: DimensionSpec) -> Dimension:
    if isinstance(spec, spaces.Discrete):
        return Dimension(name, float(spec.start), float(spec.start + spec.n - 1), discrete=True)
    if isinstance(spec, spaces.Box):
        if spec.low.size != 1:
            raise ValueError(f"dimension {name!r}: a Box must be scalar, got shape {spec.shape}")
        return _make_dimension(name, (float(spec.low.item()), float(spec.high.item())))
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        if spec < 1:
            raise ValueError(f"dimension {name!r}: a discrete dimension needs n >= 1, got {spec}")
        return Dimension(name, 0.0, float(spec - 1), discrete=True)
    if isinstance(spec, Sequence) and len(spec) == 2:
        low, high = float(spec[0]), float(spec[1])
        if not (math.isfinite(low) and math.isfinite(high) and low <= high):
            raise ValueError(
                f"dimension {name!r}: bounds must be finite with low <= high, got ({low}, {high})"
            )
        return Dimension(name, low, high)
    raise TypeError(
        f"dimension {name!r}: expected a scalar gymnasium Box, a Discrete, (low, high) or an "
        f"int n, got {spec!r}"
    )


class TaskSpace(spaces.Space[Task]):
    """An ordered set of named task dimensions.

    Example::

        space = TaskSpace({"stump_height": (0.0, 3.0), "obstacle_spacing": (0.0, 6.0)})
        task = space.sample(np.random.default_rng(0))      # array([h, s])
        space.to_dict(task)                                  # {"stump_height": h, ...}

    Args:
        dimensions: name -> dimension spec, in order (see :data:`DimensionSpec`).
        seed: seed of the space's own generator, used by :meth:`sample` when no generator is
            given. Teachers and envs pass their own generator instead.
    """

    def __init__(self, dimensions: Mapping[str, DimensionSpec], seed: int | None = None) -> None:
        if not dimensions:
            raise ValueError("a TaskSpace needs at least one dimension")
        self.dims: tuple[Dimension, ...] = tuple(
            _make_dimension(name, spec) for name, spec in dimensions.items()
        )
        self.low: NDArray[np.float64] = np.array([d.low for d in self.dims])
        self.high: NDArray[np.float64] = np.array([d.high for d in self.dims])
        self.discrete: NDArray[np.bool_] = np.array([d.discrete for d in self.dims])
        self._freeze_bounds()
        self._bounds = tuple((d.low, d.high, d.discrete) for d in self.dims)
        super().__init__(shape=(len(self.dims),), dtype=np.float64, seed=seed)

    def _freeze_bounds(self) -> None:
        """Every teacher and env of a run shares these arrays: a write would move the space
        under all of them, and out of step with ``validate``. Also derives what ``from_unit``
        needs at every sample (teachers sample once per episode)."""
        for bounds in (self.low, self.high, self.discrete):
            bounds.flags.writeable = False
        self._width = self.high - self.low
        self._width.flags.writeable = False
        self._all_continuous = not self.discrete.any()

    def __setstate__(self, state: Any) -> None:
        super().__setstate__(state)
        self._freeze_bounds()  # neither pickle nor deepcopy keeps an array's flags

    # --- description ---------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dims)

    @property
    def is_np_flattenable(self) -> bool:
        return True

    def __len__(self) -> int:
        return len(self.dims)

    def __repr__(self) -> str:
        return f"TaskSpace({', '.join(d.describe() for d in self.dims)})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TaskSpace) and self.dims == other.dims

    def __hash__(self) -> int:
        return hash(self.dims)

    def to_config(self) -> dict[str, Any]:
        """Plain-data form (for config files): name -> [low, high] or {"n": n, "start": s}."""
        return {
            d.name: {"n": d.n, "start": int(d.low)} if d.discrete else [d.low, d.high]
            for d in self.dims
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TaskSpace:
        dims: dict[str, DimensionSpec] = {}
        for name, spec in config.items():
            if isinstance(spec, Mapping):
                dims[name] = spaces.Discrete(int(spec["n"]), start=int(spec.get("start", 0)))
            else:
                dims[name] = (float(spec[0]), float(spec[1]))
        return cls(dims)

    # --- membership ----------------------------------------------------------------------
    def validate(self, task: ArrayLike | Mapping[str, float]) -> Task:
        """Return ``task`` as a ``float64`` array of this space, or raise InvalidTaskError.

        Accepts an array-like in the space's order or a mapping ``name -> value``. The error
        names the first offending dimension and its bounds. A valid ``float64`` array comes back
        as the same object, not a copy: copy it to keep it.
        """
        # Fast path, for the common case of envs resetting on a teacher's task (a classic-control
        # reset takes ~4 us): a valid float64 array is returned as it is, as below.
        if type(task) is np.ndarray and task.dtype == _FLOAT64 and task.shape == self._shape:
            for value, (low, high, discrete) in zip(task.tolist(), self._bounds):
                if not low <= value <= high or (discrete and not value.is_integer()):
                    break  # NaN fails too; the general path below explains the error
            else:
                return task
        if isinstance(task, Mapping):
            task = self.from_dict(task)
        try:
            arr = np.asarray(task, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise InvalidTaskError(f"task {task!r} is not numeric: {err}") from None
        if arr.shape != self.shape:
            raise InvalidTaskError(
                f"task has shape {arr.shape}, expected {self.shape} for dimensions {self.names}"
            )
        for value, dim in zip(arr.tolist(), self.dims):
            if not math.isfinite(value) or value < dim.low or value > dim.high:
                raise InvalidTaskError(
                    f"task dimension {dim.name!r} = {value!r} is outside its bounds "
                    f"{dim.describe().split(': ', 1)[1]}"
                )
            if dim.discrete and value != round(value):
                raise InvalidTaskError(
                    f"task dimension {dim.name!r} = {value!r} is not a whole number; allowed "
                    f"{dim.describe().split(': ', 1)[1]}"
                )
        return arr

    def contains(self, x: Any) -> bool:
        try:
            self.validate(x)
        except InvalidTaskError:
            return False
        return True

    # --- sampling and maps ---------------------------------------------------------------
    def sample(self, rng: np.random.Generator | None = None, mask: None = None) -> Task:  # type: ignore[override]
        """A uniform task; from ``rng`` if given, else from the space's own generator."""
        rng = self.np_random if rng is None else rng
        unit = rng.random(len(self.dims))
        if self._all_continuous:  # from_unit's values, without its no-op clip of [0, 1)
            return self.low + unit * self._width
        return self.from_unit(unit)

    def to_unit(self, task: ArrayLike) -> NDArray[np.float64]:
        """Map tasks (shape ``(..., n_dims)``) to the unit cube, dimension by dimension.

        A discrete value maps to the centre of its cell, so ``from_unit(to_unit(t)) == t``.
        """
        task = np.asarray(task, dtype=np.float64)
        width = self.high - self.low
        span = np.where(self.discrete, width + 1.0, np.where(width > 0, width, 1.0))
        offset = np.where(self.discrete, 0.5, 0.0)
        return (task - self.low + offset) / span

    def from_unit(self, unit: ArrayLike) -> NDArray[np.float64]:
        """Map points of the unit cube (shape ``(..., n_dims)``) into the space (clipped)."""
        unit = np.clip(np.asarray(unit, dtype=np.float64), 0.0, 1.0)
        width = self._width
        continuous = self.low + unit * width
        if self._all_continuous:
            return continuous
        discrete = self.low + np.minimum(np.floor(unit * (width + 1.0)), width)
        return np.where(self.discrete, discrete, continuous)

    def mutate(self, task: ArrayLike, rng: np.random.Generator, n_edits: int = 1) -> Task:
        """A nearby task, for teachers that evolve tasks by small edits (ACCEL).

        ``n_edits`` times, one dimension picked uniformly moves a little: a continuous value by
        a uniform step of at most 5% of its range, a discrete one to a neighbouring value. A step
        that would leave the bounds is taken the other way, so an edit at an edge still moves.
        Spaces with structured tasks (maze levels) override this with their own edits, so
        teachers stay unaware of what a task means.
        """
        task = self.validate(task).copy()
        for _ in range(n_edits):
            i = int(rng.integers(len(self.dims)))
            width = self.high[i] - self.low[i]
            step = rng.choice((-1.0, 1.0)) if self.discrete[i] else rng.uniform(-0.05, 0.05) * width
            value = task[i] + step
            task[i] = value if self.low[i] <= value <= self.high[i] else task[i] - step
        return self.clip(task)

    def clip(self, task: ArrayLike) -> Task:
        """Nearest task of the space: clipped to bounds, discrete entries rounded."""
        task = np.clip(np.asarray(task, dtype=np.float64), self.low, self.high)
        return np.where(self.discrete, np.round(task), task)

    def grid(self, points_per_dim: int | Sequence[int]) -> NDArray[np.float64]:
        """Cell centres of a regular grid, shape ``(n_points, n_dims)``, first dimension slowest.

        A discrete dimension uses all its values when it has fewer than asked. Used for the
        fixed test sets (TeachMyAgent's 10x10 grid over Stump Tracks).
        """
        counts: list[int] = (
            [int(points_per_dim)] * len(self)
            if isinstance(points_per_dim, (int, np.integer))
            else list(points_per_dim)
        )
        if len(counts) != len(self) or any(c < 1 for c in counts):
            raise ValueError(
                f"points_per_dim must be an int >= 1 or one such int per dimension "
                f"{self.names}, got {points_per_dim!r}"
            )
        axes = []
        for dim, count in zip(self.dims, counts):
            if dim.n is not None and dim.n <= count:
                axes.append(np.arange(dim.low, dim.high + 1.0))
            elif dim.n is not None:
                axes.append(dim.low + np.floor((np.arange(count) + 0.5) / count * dim.n))
            else:
                axes.append(dim.low + (np.arange(count) + 0.5) / count * (dim.high - dim.low))
        return np.array(list(itertools.product(*axes)), dtype=np.float64)

    # --- named view ----------------------------------------------------------------------
    def to_dict(self, task: ArrayLike) -> dict[str, float]:
        """``{name: value}``; discrete values come back as ``int``."""
        arr = np.asarray(task, dtype=np.float64)
        return {d.name: int(v) if d.discrete else float(v) for d, v in zip(self.dims, arr.tolist())}

    def from_dict(self, values: Mapping[str, float]) -> Task:
        missing = [n for n in self.names if n not in values]
        extra = [k for k in values if k not in self.names]
        if missing or extra:
            raise InvalidTaskError(
                f"task keys {sorted(values)} do not match dimensions {list(self.names)}"
                f" (missing {missing}, unknown {extra})"
            )
        task = np.empty(len(self.dims), dtype=np.float64)
        for i, name in enumerate(self.names):
            try:
                task[i] = float(values[name])
            except (TypeError, ValueError):
                raise InvalidTaskError(
                    f"task dimension {name!r} = {values[name]!r} is not a number"
                ) from None
        return task
