"""Nearest previously played task, for absolute learning progress (Portelas et al. 2019).

A scipy KD-tree over the history, plus an insertion buffer searched by brute force: the tree is
rebuilt only when the buffer holds ``buffer_size`` points (500 in the ALP-GMM reference), so
adding a point costs O(1) and a query O(log n + buffer_size).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree


class NearestNeighbours:
    """Points with one value each; :meth:`nearest_value` is the value of the closest point.

    Args:
        n_dims: dimension of the points.
        buffer_size: points added since the last tree build before the tree is rebuilt.
    """

    def __init__(self, n_dims: int, buffer_size: int = 500) -> None:
        self.buffer_size = buffer_size
        self._points = np.empty((256, n_dims))
        self._values = np.empty(256)
        self._size = 0
        self._tree_size = 0
        self._tree: cKDTree | None = None

    def __len__(self) -> int:
        return self._size

    def add(self, point: NDArray[np.float64], value: float) -> None:
        if self._size == len(self._values):
            self._points = np.concatenate([self._points, np.empty_like(self._points)])
            self._values = np.concatenate([self._values, np.empty_like(self._values)])
        self._points[self._size] = point
        self._values[self._size] = value
        self._size += 1
        if self._size - self._tree_size >= self.buffer_size:
            self._build(self._size)

    def nearest_value(self, point: NDArray[np.float64]) -> float:
        """Value of the nearest stored point (ties are broken deterministically, the tree's
        point winning over the buffer's). Needs at least one point."""
        best_dist, best_index = np.inf, -1
        if self._tree is not None:
            dist, index = self._tree.query(point)
            best_dist, best_index = float(dist) ** 2, int(index)
        buffer = self._points[self._tree_size : self._size]
        if len(buffer):
            sq_dists = np.einsum("ij,ij->i", buffer - point, buffer - point)
            i = int(np.argmin(sq_dists))
            if sq_dists[i] < best_dist:
                best_index = self._tree_size + i
        return float(self._values[best_index])

    def _build(self, size: int) -> None:
        self._tree_size = size
        self._tree = cKDTree(self._points[:size])

    # The tree is rebuilt from the points when restored: smaller state, same answers.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(vars(self))
        state["_tree"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        if self._tree_size:
            self._build(self._tree_size)
