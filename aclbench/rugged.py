"""Rugged difficulty: a fixed bijection of a task space that shuffles its cells.

TeachMyAgent's fourth challenge (Romac et al., "TeachMyAgent: a Benchmark for Automatic
Curriculum Learning in Deep RL", ICML 2021, section 4.1) makes the difficulty landscape rugged:
each dimension of the task space is cut in ``cuts`` (4) equal intervals and the resulting cells
are shuffled with a fixed seed (21), so that tasks a teacher sees as neighbours are, for the
env, far apart. A teacher samples and learns in its own space; each task it proposes is moved
to its cell's image before the env plays it, and each task fed back is moved back.

``per_dimension=False`` (the default) draws one permutation of all ``cuts ** n_dims`` cells, as
the paper describes ("the 16 cells shuffled"); ``per_dimension=True`` permutes each dimension's
intervals on its own, as TeachMyAgent's released code (``DimensionsShuffler``) does, which
keeps the cells of a row in one row. Inside a cell, a task keeps its offset from the cell's
lower corner. A discrete dimension is cut into groups of consecutive values, so its number of
values must be a multiple of ``cuts``; a dimension with a single value is left as it is.

Used by the harness's ``rugged`` run key (a teacher wrapper: :mod:`aclbench.teachers.rugged`),
so it applies to every env and every student.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.errors import ConfigError
from aclbench.task_space import Task, TaskSpace

DEFAULT_CUTS = 4
DEFAULT_SEED = 21
"""TeachMyAgent's settings: 4 intervals per dimension, shuffled with seed 21."""
MAX_CELLS = 1_000_000
"""The most cells a joint permutation may hold (``cuts ** n_dims``); use ``per_dimension``."""
KEYS = ("cuts", "seed", "per_dimension")


class CellShuffle:
    """A bijection of ``space`` onto itself that permutes its cells (module docstring).

    Args:
        space: the task space, the same on both sides.
        cuts: intervals per dimension, >= 2.
        seed: seed of the permutation.
        per_dimension: permute each dimension's intervals on its own (TeachMyAgent's code)
            instead of all cells at once.

    Raises:
        ConfigError: ``cuts`` < 2, a discrete dimension whose number of values ``cuts`` does
            not divide, or too many cells for one permutation.
    """

    def __init__(
        self,
        space: TaskSpace,
        *,
        cuts: int = DEFAULT_CUTS,
        seed: int = DEFAULT_SEED,
        per_dimension: bool = False,
    ) -> None:
        if not isinstance(cuts, int) or isinstance(cuts, bool) or cuts < 2:
            raise ConfigError(f"rugged: cuts must be an integer >= 2, got {cuts!r}")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ConfigError(f"rugged: seed must be an integer >= 0, got {seed!r}")
        if not isinstance(per_dimension, bool):
            raise ConfigError(f"rugged: per_dimension must be true or false, got {per_dimension!r}")
        self.space, self.cuts, self.seed, self.per_dimension = space, cuts, seed, per_dimension
        self.counts = np.array([_cuts_of(dim, cuts) for dim in space.dims])
        # width of one cell: values per group for a discrete dimension
        span = np.where(space.discrete, space.high - space.low + 1.0, space.high - space.low)
        self.width: NDArray[np.float64] = span / self.counts
        rng = np.random.default_rng(seed)
        if per_dimension:
            self._forward = [rng.permutation(int(n)) for n in self.counts]
        else:
            n_cells = int(np.prod(self.counts.astype(float)))
            if n_cells > MAX_CELLS:
                raise ConfigError(
                    f"rugged: {cuts} cuts of {len(space)} dimensions make {n_cells:.3g} cells, "
                    f"more than {MAX_CELLS:,} for one permutation; set per_dimension = true"
                )
            self._forward = [rng.permutation(n_cells)]
        self._inverse = [np.argsort(p) for p in self._forward]

    @classmethod
    def from_config(cls, space: TaskSpace, config: Mapping[str, Any]) -> CellShuffle:
        """From a run's ``rugged`` table (``{cuts = 4, seed = 21}``; keys :data:`KEYS`)."""
        unknown = sorted(set(config) - set(KEYS))
        if unknown:
            raise ConfigError(
                f"rugged: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KEYS)}"
            )
        return cls(space, **dict(config))

    def to_config(self) -> dict[str, Any]:
        return {"cuts": self.cuts, "seed": self.seed, "per_dimension": self.per_dimension}

    def forward(self, task: ArrayLike) -> Task:
        """The env's task for the teacher's ``task`` (one task, ``(n_dims,)``)."""
        return self._move(task, self._forward)

    def inverse(self, task: ArrayLike) -> Task:
        """The teacher's task for the env's ``task``; ``inverse(forward(t))`` is ``t`` up to
        rounding (exactly on discrete dimensions)."""
        return self._move(task, self._inverse)

    def inverse_many(self, tasks: ArrayLike) -> NDArray[np.float64]:
        """:meth:`inverse` of each task of an array of shape ``(..., n_dims)``."""
        tasks = np.asarray(tasks, dtype=np.float64)
        flat = tasks.reshape(-1, len(self.space))
        return np.array([self.inverse(t) for t in flat]).reshape(tasks.shape)

    def _move(self, task: ArrayLike, permutations: list[NDArray[np.int64]]) -> Task:
        task = np.asarray(task, dtype=np.float64)
        low = self.space.low
        cell = np.floor((task - low) / np.where(self.width > 0, self.width, 1.0))
        cell = np.clip(cell, 0, self.counts - 1).astype(np.int64)
        if self.per_dimension:
            target = np.array([p[c] for p, c in zip(permutations, cell)])
        else:
            flat = np.ravel_multi_index(tuple(cell), tuple(self.counts))
            target = np.array(np.unravel_index(permutations[0][flat], tuple(self.counts)))
        moved = task + (target - cell) * self.width
        return self.space.clip(moved)


def _cuts_of(dim: Any, cuts: int) -> int:
    """How many intervals ``dim`` is cut in: ``cuts``, or 1 for a single-valued dimension."""
    if dim.low == dim.high:
        return 1
    if dim.discrete and dim.n % cuts:
        raise ConfigError(
            f"rugged: discrete dimension {dim.name!r} has {dim.n} values, which {cuts} cuts do "
            f"not divide into equal groups; choose cuts dividing {dim.n}"
        )
    return cuts
