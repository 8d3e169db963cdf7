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

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace


def resolve_preset(
    teacher: str,
    presets: Mapping[str, Mapping[str, Any]],
    preset: str,
    overrides: Mapping[str, Any],
) -> dict[str, Any]:
    """The preset's values, with every override that is not ``None`` applied on top."""
    if preset not in presets:
        raise ConfigError(
            f"{teacher}: unknown preset {preset!r}; allowed: {', '.join(map(repr, presets))}"
        )
    values = dict(presets[preset])
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values


def check_int(teacher: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ConfigError(f"{teacher}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_fraction(teacher: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ConfigError(f"{teacher}: {name} must be a number in [0, 1], got {value!r}")
    return float(value)


def check_k_range(teacher: str, k_range: Any) -> tuple[int, int]:
    """``(k_min, k_max)``, both included, ``1 <= k_min <= k_max``."""
    ok = isinstance(k_range, Sequence) and len(k_range) == 2
    if ok:
        k_min, k_max = k_range
        ok = all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in k_range)
        ok = ok and 1 <= k_min <= k_max
    if not ok:
        raise ConfigError(
            f"{teacher}: k_range must be (k_min, k_max) with integers 1 <= k_min <= k_max "
            f"(numbers of Gaussians tried, both included), got {k_range!r}"
        )
    return int(k_range[0]), int(k_range[1])


class ReturnScaler:
    """Maps returns to [0, 1] with the env's reward bounds, or passes them through.

    The ALP-GMM paper normalizes Stump Tracks returns with ``(-150, 350)`` (values outside are
    clipped, as ``np.interp`` does in its code); TeachMyAgent feeds raw returns by default.

    Args:
        teacher: name used in error messages.
        return_bounds: ``(low, high)`` with ``low < high``, or ``None`` for raw returns.
    """

    def __init__(self, teacher: str, return_bounds: Sequence[float] | None) -> None:
        self.bounds: tuple[float, float] | None = None
        if return_bounds is None:
            return
        ok = isinstance(return_bounds, Sequence) and len(return_bounds) == 2
        try:
            low, high = (float(b) for b in return_bounds) if ok else (0.0, 0.0)
        except (TypeError, ValueError):
            ok = False
        ok = ok and math.isfinite(low) and math.isfinite(high) and low < high
        if not ok:
            raise ConfigError(
                f"{teacher}: return_bounds must be (low, high) with finite low < high, or None "
                f"for raw returns; got {return_bounds!r}"
            )
        self.bounds = (low, high)

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
