"""``riac``: Robust Intelligent Adaptive Curiosity, regions split where learning progress differs.

Baranes and Oudeyer (2009), "R-IAC: Robust Intrinsically Motivated Exploration and Active
Learning", IEEE Transactions on Autonomous Mental Development 1(3); as adapted to Deep RL teachers
by Portelas et al. (CoRL 2019), whose defaults and splitting safeguards are used here.

The task space is a tree of boxes. Every (task, return) pair is added to each region on the path
from the root to the leaf that contains it; a region keeps its last ``max_region_size + 1``
pairs. The absolute learning progress (ALP) of a region is ``|mean(older half) - mean(newer
half)|`` of its last ``alp_window`` returns. A leaf holding more than ``max_region_size`` pairs
is split in two: of ``n_split_attempts`` random cuts (random dimension, random threshold), the
one maximizing ``n_left * n_right * |ALP_left - ALP_right|`` wins, so that cuts separate
regions of different progress. Safeguards of the reference code: each child must hold at least
``min_region_size`` pairs and be at least ``min_region_width`` wide (fraction of the range) on
every dimension; if no cut qualifies, the leaf forgets its oldest ``discard_ratio`` share.

Sampling follows R-IAC's three modes: with probability ``mutation_ratio``, a region chosen in
proportion to its ALP, and a Gaussian mutation (``mutation_std`` in the unit cube) of its
lowest-return task; with probability ``random_ratio``, a uniform task; otherwise a region chosen
in proportion to its ALP (every region of the tree, parents included, as R-IAC's multi-resolution
interest does) and a uniform task inside it.

Presets (any parameter given explicitly overrides its preset value):

==================  ===============  ================  ================
preset              max_region_size  n_split_attempts  min_region_width
==================  ===============  ================  ================
``"paper"``         200              50                1/15
``"teachmyagent"``  150              75                0.1
==================  ===============  ================  ================

``"paper"`` holds the values of the authors' code (teachDeepRL, Portelas et al. 2019),
``"teachmyagent"`` those of TeachMyAgent's benchmark (Romac et al., ICML 2021), which tuned
them; the other parameters keep their defaults in both. ``"teachmyagent"`` is the default
because it measures best on the toy bench (``python -m benchmarks.perf.teachers_toy``; figures
and the commit they were measured at in ``results/perf/2026-12-04-teachers-presets.md``).
"""

from __future__ import annotations

import math
import sys
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Teacher
from aclbench.teachers.lp_common import (
    ReturnScaler,
    proportional_choice,
    resolve_preset,
    unit_to_task_affine,
)
from aclbench.teachers.params import check_fraction, check_int, check_number, config_error
from aclbench.teachers.registry import register_teacher

PRESETS: dict[str, dict[str, Any]] = {
    "paper": {"max_region_size": 200, "n_split_attempts": 50, "min_region_width": 1 / 15},
    "teachmyagent": {"max_region_size": 150, "n_split_attempts": 75, "min_region_width": 0.1},
}


@dataclass
class Region:
    """A box ``[low, high)`` of the unit cube (closed where it touches 1) and its recent pairs.

    ``cut`` is ``(dimension, threshold)`` once split: points with ``unit[dimension] <
    threshold`` belong to ``children[0]``, the others to ``children[1]``.
    """

    low: NDArray[np.float64]
    high: NDArray[np.float64]
    depth: int
    tasks: deque[NDArray[np.float64]]
    returns: deque[float]
    cut: tuple[int, float] | None = None
    children: tuple[int, int] | None = None


def window_alp(returns: Iterable[float], window: int) -> float:
    """``|mean(older half) - mean(newer half)|`` of the last ``window`` returns; 0 for fewer
    than 3 returns. With an odd count, the older part has one more return.

    Plain Python: on a few hundred floats it is several times faster than numpy's overhead, and
    it runs for every region on a task's path at every episode.
    """
    values = list(returns)[-window:]
    if len(values) < 3:
        return 0.0
    cut = len(values) - len(values) // 2
    older, newer = values[:cut], values[cut:]
    gap = abs(sum(older) / len(older) - sum(newer) / len(newer))
    if math.isnan(gap) or math.isinf(gap):  # sums past the float range: scale them down
        scale = max(abs(v) for v in values)
        older_mean = sum(v / scale for v in older) / len(older)
        gap = abs(older_mean - sum(v / scale for v in newer) / len(newer)) * scale
    return min(gap, sys.float_info.max)


@register_teacher("riac")
class RiacTeacher(Teacher):
    """R-IAC (Baranes and Oudeyer 2009); see the module docstring for the algorithm.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (``0`` is valid).
        preset: ``"teachmyagent"`` or ``"paper"`` (see the module docstring).
        max_region_size: pairs a leaf holds before it is split.
        n_split_attempts: random cuts tried per split.
        min_region_width: smallest width of a child along any dimension, as a fraction of the
            dimension's range (in ``[0, 0.5]``).
        min_region_size: fewest pairs in each child of a cut (default: max_region_size / 20).
        alp_window: returns used for a region's ALP (default: ``max_region_size``).
        discard_ratio: share of a leaf's oldest pairs forgotten when no cut qualifies.
        random_ratio: share of uniform tasks.
        mutation_ratio: share of mutations of a region's lowest-return task.
        mutation_std: standard deviation of those mutations, in the unit cube.
        return_bounds: ``(low, high)`` env return bounds used to scale returns to [0, 1];
            ``None`` keeps raw returns.
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = PRESETS
    """Named values of ``max_region_size``, ``n_split_attempts`` and ``min_region_width``."""

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        preset: str = "teachmyagent",
        max_region_size: int | None = None,
        n_split_attempts: int | None = None,
        min_region_width: float | None = None,
        min_region_size: int | None = None,
        alp_window: int | None = None,
        discard_ratio: float = 0.25,
        random_ratio: float = 0.2,
        mutation_ratio: float = 0.1,
        mutation_std: float = 0.1,
        return_bounds: Sequence[float] | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        params = resolve_preset(
            self,
            self.presets,
            preset,
            {
                "max_region_size": max_region_size,
                "n_split_attempts": n_split_attempts,
                "min_region_width": min_region_width,
            },
        )
        self.preset = preset
        self.max_region_size = check_int(self, "max_region_size", params["max_region_size"], 2)
        self.n_split_attempts = check_int(self, "n_split_attempts", params["n_split_attempts"], 1)
        # at most 0.5: a cut leaves two children at least that wide
        self.min_region_width = check_number(
            self, "min_region_width", params["min_region_width"], 0.0, 0.5
        )
        default_min_size = math.ceil(self.max_region_size / 20)
        self.min_region_size = check_int(
            self,
            "min_region_size",
            default_min_size if min_region_size is None else min_region_size,
            1,
        )
        self.alp_window = check_int(
            self, "alp_window", self.max_region_size if alp_window is None else alp_window, 3
        )
        self.discard_ratio = check_fraction(self, "discard_ratio", discard_ratio)
        self.random_ratio = check_fraction(self, "random_ratio", random_ratio)
        self.mutation_ratio = check_fraction(self, "mutation_ratio", mutation_ratio)
        if self.random_ratio + self.mutation_ratio > 1.0:
            raise config_error(
                self,
                f"random_ratio + mutation_ratio must be at most 1, got {random_ratio!r} + "
                f"{mutation_ratio!r}",
            )
        self.mutation_std = check_number(self, "mutation_std", mutation_std, 0.0)
        self.scale_return = ReturnScaler(self, return_bounds)
        n_dims = len(task_space)
        self.regions: list[Region] = [self._new_region(np.zeros(n_dims), np.ones(n_dims), 0)]
        self.alps = np.zeros(1)  # ALP of each region, the sampling weights

    def _new_region(
        self, low: NDArray[np.float64], high: NDArray[np.float64], depth: int
    ) -> Region:
        size = self.max_region_size + 1
        return Region(low, high, depth, deque(maxlen=size), deque(maxlen=size))

    # --- sampling ----------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        space, rng = self.task_space, self.rng
        mode = rng.random()
        if mode < self.random_ratio:
            return space.sample(rng)
        region = self.regions[proportional_choice(self.alps, rng)]
        if mode < self.random_ratio + self.mutation_ratio and region.returns:
            worst = region.tasks[int(np.argmin(region.returns))]
            unit = worst + self.mutation_std * rng.standard_normal(len(worst))
            unit = np.clip(unit, region.low, region.high)
        else:
            unit = region.low + rng.random(len(region.low)) * (region.high - region.low)
        return space.clip(space.from_unit(unit))

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        unit = self.task_space.to_unit(task)
        value = self.scale_return(episode_return)
        index = 0
        while True:
            region = self.regions[index]
            region.tasks.append(unit)
            region.returns.append(value)
            self.alps[index] = window_alp(region.returns, self.alp_window)
            if region.cut is None or region.children is None:  # a leaf
                break
            dim, threshold = region.cut
            index = region.children[int(unit[dim] >= threshold)]
        if len(region.returns) > self.max_region_size:
            self._split(index)

    def _split(self, index: int) -> None:
        """Split leaf ``index`` by the best of the random cuts, or forget its oldest pairs."""
        region, rng = self.regions[index], self.rng
        tasks, returns = np.array(region.tasks), np.array(region.returns)
        splittable = np.flatnonzero(region.high - region.low >= 2 * self.min_region_width)
        best: tuple[float, int, float, NDArray[np.bool_]] | None = None
        for _ in range(self.n_split_attempts if len(splittable) else 0):
            dim = int(splittable[rng.integers(len(splittable))])
            low, high = (
                region.low[dim] + self.min_region_width,
                region.high[dim] - self.min_region_width,
            )
            threshold = float(low + rng.random() * (high - low))
            right = tasks[:, dim] >= threshold
            n_right = int(right.sum())
            n_left = len(right) - n_right
            if min(n_left, n_right) < self.min_region_size:
                continue
            gap = window_alp(returns[~right].tolist(), self.alp_window) - window_alp(
                returns[right].tolist(), self.alp_window
            )
            score = n_left * n_right * abs(gap)
            if best is None or score > best[0]:
                best = (score, dim, threshold, right)
        if best is None:
            for _ in range(int(self.max_region_size * self.discard_ratio)):
                region.tasks.popleft()
                region.returns.popleft()
            self.alps[index] = window_alp(region.returns, self.alp_window)
            return
        _, dim, threshold, right = best
        children = []
        for is_right in (False, True):
            low, high = region.low.copy(), region.high.copy()
            (low if is_right else high)[dim] = threshold
            side = right if is_right else ~right
            child = self._new_region(low, high, region.depth + 1)
            child.tasks.extend(tasks[side])
            child.returns.extend(returns[side].tolist())
            children.append(len(self.regions))
            self.regions.append(child)
        region.cut, region.children = (dim, threshold), (children[0], children[1])
        new_alps = [window_alp(self.regions[c].returns, self.alp_window) for c in children]
        self.alps = np.append(self.alps, new_alps)

    # --- report ------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """Every region of the tree, in task units, for the report.

        ``{"regions": [{"low": [n_dims], "high": [n_dims], "alp": a, "n_points": n,
        "depth": d, "leaf": bool}]}``; the root (the whole space) comes first and children
        follow their parents.
        """
        offset, span = unit_to_task_affine(self.task_space)
        return {
            "regions": [
                {
                    "low": (offset + span * r.low).tolist(),
                    "high": (offset + span * r.high).tolist(),
                    "alp": float(alp),
                    "n_points": len(r.returns),
                    "depth": r.depth,
                    "leaf": r.children is None,
                }
                for r, alp in zip(self.regions, self.alps, strict=True)
            ]
        }
