"""Pieces shared by the learning-progress teachers (ALP-GMM, Covar-GMM, RIAC, easy-to-hard).

These teachers compute in the unit cube of the task space (``TaskSpace.to_unit``), so that
distances, Gaussians and regions do not depend on the units of each dimension, and report their
inner state back in task units with :func:`unit_to_task_affine`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import TaskSpace
from aclbench.teachers.params import Owner, check_choice, config_error, record


def resolve_preset(
    teacher: Owner,
    presets: Mapping[str, Mapping[str, Any]],
    preset: str,
    overrides: Mapping[str, Any],
) -> dict[str, Any]:
    """The preset's values, with every override that is not ``None`` applied on top."""
    check_choice(teacher, "preset", preset, presets)
    values = dict(presets[preset])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


class ReturnScaler:
    """Maps returns to [0, 1] with the env's reward bounds, or passes them through.

    The ALP-GMM paper normalizes Stump Tracks returns with ``(-150, 350)`` (values outside are
    clipped, as ``np.interp`` does in its code); TeachMyAgent feeds raw returns by default.

    Args:
        teacher: whose parameter it is, for error messages (see :mod:`teachers.params`).
        return_bounds: ``(low, high)`` with ``low < high``, or ``None`` for raw returns.
    """

    def __init__(self, teacher: Owner, return_bounds: Sequence[float] | None) -> None:
        self.bounds: tuple[float, float] | None = record(teacher, "return_bounds", None)
        if return_bounds is None:
            return
        ok = isinstance(return_bounds, Sequence) and len(return_bounds) == 2
        ok = ok and not any(isinstance(b, bool) for b in return_bounds)
        try:
            low, high = (float(b) for b in return_bounds) if ok else (0.0, 0.0)
        except (TypeError, ValueError):
            ok = False
        ok = ok and math.isfinite(low) and math.isfinite(high) and low < high
        if not ok:
            raise config_error(
                teacher,
                "return_bounds must be (low, high) with finite low < high, or None for raw "
                f"returns; got {return_bounds!r}",
            )
        self.bounds = record(teacher, "return_bounds", (low, high))

    def __call__(self, episode_return: float) -> float:
        if self.bounds is None:
            return episode_return
        low, high = self.bounds
        return min(max((episode_return - low) / (high - low), 0.0), 1.0)


def proportional_choice(weights: NDArray[np.float64], rng: np.random.Generator) -> int:
    """An index drawn with probability proportional to ``weights`` (negatives and NaN count as
    0); uniform when no weight is positive, as in the reference implementations. Weights near
    the float limit are fine (scaled by the largest; infinite ones share all the mass)."""
    positive = np.where(weights > 0.0, weights, 0.0)
    top = float(positive.max()) if len(positive) else 0.0
    if not top > 0.0:
        return int(rng.integers(len(weights)))
    if math.isinf(top):
        positive, top = np.isinf(positive).astype(np.float64), 1.0
    cumulative = np.cumsum(positive / top)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return min(index, len(weights) - 1)


def unit_to_task_affine(space: TaskSpace) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(offset, span)`` with ``task = offset + span * unit``: the exact inverse of
    ``TaskSpace.to_unit`` without rounding, to report Gaussians and boxes in task units (a
    discrete value ``v`` covers ``[v - 0.5, v + 0.5]``)."""
    width = space.high - space.low
    span = np.where(space.discrete, width + 1.0, np.where(width > 0, width, 1.0))
    offset = space.low - np.where(space.discrete, 0.5, 0.0)
    return offset, span
