"""The maze agent's egocentric observation, read from index tables instead of built cell by cell.

MiniGrid's ``gen_obs`` slices the agent's ``view`` x ``view`` window out of the grid (cells
past its edge show as walls), turns it left ``agent_dir + 1`` times, empties the agent's own
place (it would show what the agent carries: nothing in a maze) and encodes every cell as
(object, colour, state), all in Python loops over cells: most of the time of a step or a reset.
A maze's grid never changes during an episode and its agent sees through walls, so which cell
shows at each place of the view depends only on the agent's position and direction.
:class:`MazeView` tabulates that once per env, encodes the level's cells once per reset, and an
observation is then one gather, several times faster than MiniGrid's loops (measured by
``python -m benchmarks.perf.envs_speed``; figures in
``results/perf/2026-12-04-envs-docstring-figures.md``). It equals MiniGrid's
(``tests/envs/test_maze.py`` compares them over random and held-out levels, every direction
and the grid's edges).
"""

from __future__ import annotations

import numpy as np
from minigrid.core.constants import OBJECT_TO_IDX
from minigrid.core.world_object import Goal, Wall
from numpy.typing import NDArray

from aclbench.envs.maze_levels import Level

ENCODING_MAX = np.array([10.0, 5.0, 2.0], dtype=np.float32)
"""Largest MiniGrid object, colour and state indices: the observation divides by them."""

_ONE_HOT = np.eye(4, dtype=np.float32)
"""Row ``d``: the agent's direction ``d`` one-hot, the last 4 entries of an observation."""

_EMPTY, _WALL, _GOAL = (OBJECT_TO_IDX["empty"], 0, 0), Wall().encode(), Goal().encode()
"""MiniGrid's codes of the three kinds of cell a maze has (``Grid.encode``'s for nothing)."""


def _turned_windows(view: int) -> NDArray[np.intp]:
    """``rel[d, i, j]``: (dx, dy) from the agent to the cell at place ``(i, j)`` of its view
    when it faces ``d``, ``4 x view x view x 2``.

    The window of ``MiniGridEnv.get_view_exts``, turned left ``d + 1`` times as
    ``gen_obs_grid`` does: on arrays indexed ``[x, y]``, ``Grid.rotate_left`` is ``np.rot90``
    with ``k = -1``.
    """
    half = view // 2
    corners = [(0, -half), (-half, 0), (1 - view, -half), (-half, 1 - view)]  # top-left, by d
    window = np.stack(np.meshgrid(np.arange(view), np.arange(view), indexing="ij"), axis=-1)
    return np.stack([np.rot90(window + corner, -(d + 1)) for d, corner in enumerate(corners)])


class MazeView:
    """Observations of a ``size`` x ``size`` maze (a MiniGrid grid of ``size + 2`` with its
    outer wall ring) through a ``view`` x ``view`` window; ``view`` is odd."""

    def __init__(self, size: int, view: int) -> None:
        side = size + 2
        self._pad = view - 1  # the farthest the view reaches past the grid
        self._width = side + 2 * self._pad
        n_cells = self._width**2 + 1  # the padded grid, then one always-empty cell
        x, y = np.arange(side).reshape(-1, 1, 1, 1, 1), np.arange(side).reshape(1, -1, 1, 1, 1)
        rel = _turned_windows(view)
        # for the agent at (x, y) facing d: the cell at each place of its view, side x side x 4
        # x view x view, and the index of each entry of the flat observation in _scaled
        self._image_cells = self._cell(x + rel[..., 0], y + rel[..., 1])
        self._image_cells[..., view // 2, view - 1] = n_cells - 1  # the agent's own place
        n_codes = view * view * 3
        codes = self._image_cells[..., None] * 3 + np.arange(3)
        one_hot = n_cells * 3 + np.arange(16).reshape(4, 4)
        self._flat_index = np.concatenate(
            [codes.reshape(side, side, 4, n_codes), np.broadcast_to(one_hot, (side, side, 4, 4))],
            axis=-1,
        )
        inner = np.arange(1, size + 1)
        # the index of each inner cell in the order of a level's walls (row by row: [y, x])
        self._inner_cells = self._cell(inner[None, :], inner[:, None]).ravel()
        self._blank = np.empty((n_cells, 3), dtype=np.uint8)
        self._blank[:] = _WALL
        self._blank[self._inner_cells] = _EMPTY
        self._blank[-1] = _EMPTY
        self._codes = self._blank
        self._scaled = self._scale(self._blank)

    def _cell(self, x: NDArray[np.intp], y: NDArray[np.intp]) -> NDArray[np.intp]:
        """The index of grid cell ``(x, y)`` in the grid padded with walls, ``y`` first."""
        return (x + self._pad) * self._width + y + self._pad

    def set_level(self, level: Level) -> None:
        """Encode ``level``'s cells: what the next observations show."""
        codes = self._blank.copy()
        codes[self._inner_cells[level.walls.ravel()]] = _WALL
        codes[self._inner_cells[level.goal[1] * level.size + level.goal[0]]] = _GOAL
        self._codes, self._scaled = codes, self._scale(codes)

    def observe(
        self, pos: tuple[int, int] | NDArray[np.int_], direction: int
    ) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
        """MiniGrid's encoded view (``view x view x 3``, ``[x, y]``) of the agent at grid
        position ``pos`` facing ``direction``, and the flat observation: that view divided by
        :data:`ENCODING_MAX`, raveled, then the direction one-hot."""
        x, y = pos
        at = (x, y, direction)
        return self._codes[self._image_cells[at]], self._scaled[self._flat_index[at]]

    @staticmethod
    def _scale(codes: NDArray[np.uint8]) -> NDArray[np.float32]:
        return np.concatenate([(codes / ENCODING_MAX).ravel(), _ONE_HOT.ravel()])
