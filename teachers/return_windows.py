"""Per-arm FIFO windows of recent ``(time, value)`` pairs, and the slopes fitted to them.

The learning-progress estimates of the task-set teachers are slopes of a linear regression of
the return against time over a task's last K episodes (TSCL's Window and Naive teachers,
Matiisen et al. 2017; Mastering Rate's "linreg" estimator, Willems et al. 2020). Kept as
``n_arms`` x ``K`` ring buffers so that all arms' slopes are computed in one vectorized pass.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def slope(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    """Least-squares slope of ``y`` against ``x`` (1-D); NaN with fewer than two distinct x."""
    if x.size < 2:
        return float("nan")
    dx = x - x.mean()
    sxx = float(dx @ dx)
    return float(dx @ (y - y.mean())) / sxx if sxx > 0 else float("nan")


class ReturnWindows:
    """The last ``size`` ``(time, value)`` pairs fed back for each of ``n_arms`` arms.

    Attributes:
        times, values: ``n_arms`` x ``size``; slot order is arrival order modulo ``size``.
        counts: ``n_arms``, pairs pushed so far (may exceed ``size``).
    """

    def __init__(self, n_arms: int, size: int) -> None:
        if size < 1:
            raise ValueError(f"window size must be >= 1, got {size}")
        self.size = size
        self.times = np.zeros((n_arms, size))
        self.values = np.zeros((n_arms, size))
        self.counts = np.zeros(n_arms, dtype=np.int64)

    def push(self, arm: int, time: float, value: float) -> None:
        slot = self.counts[arm] % self.size
        self.times[arm, slot] = time
        self.values[arm, slot] = value
        self.counts[arm] += 1

    def filled(self) -> NDArray[np.int64]:
        """Number of pairs held per arm, ``n_arms``."""
        return np.minimum(self.counts, self.size)

    def arm_mean(self, arm: int) -> float:
        """Mean value held for ``arm``; NaN if none."""
        n = min(int(self.counts[arm]), self.size)
        return float(self.values[arm, :n].mean()) if n else float("nan")

    def arm_slope(self, arm: int) -> float:
        """Slope of value against time for ``arm``; NaN with fewer than two times."""
        n = min(int(self.counts[arm]), self.size)
        return slope(self.times[arm, :n], self.values[arm, :n])

    def means(self) -> NDArray[np.float64]:
        """Mean value per arm, ``n_arms``; NaN for an arm with nothing yet."""
        n = self.filled()
        mask = np.arange(self.size) < n[:, None]
        total = (self.values * mask).sum(axis=1)
        return np.divide(total, n, out=np.full(n.size, np.nan), where=n > 0)

    def slopes(self) -> NDArray[np.float64]:
        """Slope of value against time per arm, ``n_arms``; NaN with fewer than two times."""
        n = self.filled()
        mask = np.arange(self.size) < n[:, None]
        safe_n = np.maximum(n, 1)[:, None]
        times, values = self.times * mask, self.values * mask
        dx = (times - times.sum(axis=1, keepdims=True) / safe_n) * mask
        dy = (values - values.sum(axis=1, keepdims=True) / safe_n) * mask
        sxx = (dx * dx).sum(axis=1)
        return np.divide((dx * dy).sum(axis=1), sxx, out=np.full(n.size, np.nan), where=sxx > 0)
