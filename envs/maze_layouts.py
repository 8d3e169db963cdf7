"""Held-out test mazes, in the style of the zero-shot test sets of the UED literature.

PAIRED (Dennis et al. 2020), Robust PLR (Jiang et al. 2021) and ACCEL (Parker-Holder et al.
2022) test maze agents on human-designed layouts never seen in training: rooms joined by doors,
a spiral labyrinth, a corridor with dead-end alleys, and perfect mazes. These are our own
drawings of those kinds of layout at the 13 x 13 inner size of those papers' mazes (MiniGrid
15 x 15 with the outer wall ring), plus perfect mazes of several sizes drawn once by randomized
depth-first search with fixed seeds. A layout smaller than the env's grid is embedded in its
top-left corner with walls filling the rest; one larger than the grid is left out.

Every layout is solvable; ``tests/envs/test_maze.py`` walks the shortest path of each.
"""

from __future__ import annotations

import numpy as np

from aclbench.envs.maze_levels import Level, embed, from_text, perfect_maze

SIXTEEN_ROOMS = [
    "...#..#..#...",
    ".>....#......",
    "...#.....#...",
    "#.##.######.#",
    "...#..#......",
    "......#..#...",
    "#####.#.####.",
    "......#..#...",
    "...#.....#...",
    "##.#####.#.##",
    "...#.....#...",
    "......#..#.G.",
    "...#..#......",
]

NINE_ROOMS = [
    "....#...#....",
    "........#.G..",
    "....#........",
    "....#...#....",
    "##.###.###.##",
    "....#...#....",
    "........#....",
    "....#...#....",
    "#.##########.",
    "....#...#....",
    "........#....",
    "....#........",
    "^...#...#....",
]

LABYRINTH = [
    ".............",
    ".###########.",
    ".#.........#.",
    ".#.#######.#.",
    ".#.#.....#.#.",
    ".#.#####.#.#.",
    ".#...#G..#...",
    ".#.#.###.###.",
    ".#.#.....#.#.",
    ".#.#######.#.",
    ".#.........#.",
    ".###########.",
    ">............",
]

LARGE_CORRIDOR = [
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ">............",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#.#.#.",
    ".#.#.#.#G#.#.",
]

PERFECT_MAZE_ROOMS = (3, 4, 5, 6, 7)
"""Rooms per side of the perfect test mazes: 5 x 5 to 13 x 13 cells."""


def _perfect(rooms: int) -> Level:
    """A perfect maze with the agent in the top-left room facing right, the goal bottom-right."""
    walls = perfect_maze(rooms, np.random.default_rng(rooms))
    corner = 2 * rooms - 2
    return Level(walls, (0, 0), 0, (corner, corner))


def held_out_levels(size: int) -> dict[str, Level]:
    """Name -> test level for an env of ``size`` x ``size`` inner cells, in a fixed order."""
    drawn = {
        "SixteenRooms": from_text(SIXTEEN_ROOMS),
        "NineRooms": from_text(NINE_ROOMS),
        "Labyrinth": from_text(LABYRINTH),
        "LargeCorridor": from_text(LARGE_CORRIDOR),
    }
    drawn.update({f"PerfectMaze{n}x{n}": _perfect(n) for n in PERFECT_MAZE_ROOMS})
    return {name: embed(level, size) for name, level in drawn.items() if level.size <= size}
