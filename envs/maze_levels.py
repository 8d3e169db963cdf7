"""Maze levels: the layout of a square grid world, and its encoding as a fixed-size task vector.

A level is everything that differs between two mazes: which inner cells are walls, where the
agent starts and which way it faces, and where the goal is. Level-based teachers (PLR, ACCEL,
PAIRED) store, replay, edit and generate levels, so a level must round-trip exactly through a
flat vector of whole numbers::

    [wall(0, 0), wall(0, 1), ..., wall(size-1, size-1), agent_x, agent_y, agent_dir, goal_x, goal_y]

Walls are listed row by row (``wall(y, x)``, 1 = wall); coordinates count inner cells from the
top-left corner (the outer wall ring of the MiniGrid grid is not part of the level); directions
are MiniGrid's (0 right, 1 down, 2 left, 3 up).

Also here: the random level generator of PAIRED/PLR "domain randomization" (uniformly placed
walls), ACCEL's edits (flip a wall, move the goal), a breadth-first shortest-path solver, and
a perfect-maze generator for the test set.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.errors import InvalidTaskError

DIRECTIONS = ((1, 0), (0, 1), (-1, 0), (0, -1))
"""MiniGrid's direction index -> (dx, dy): right, down, left, up."""

LEFT, RIGHT, FORWARD = 0, 1, 2
"""MiniGrid's action indices for turning and moving (the only actions a maze needs)."""

N_EXTRA = 5
"""Entries after the wall bits: agent_x, agent_y, agent_dir, goal_x, goal_y."""


@dataclass(eq=False)
class Level:
    """One maze. ``walls`` is ``size`` x ``size`` booleans indexed ``[y, x]``; positions are
    ``(x, y)`` in inner-cell coordinates."""

    walls: NDArray[np.bool_]
    agent: tuple[int, int]
    agent_dir: int
    goal: tuple[int, int]

    @property
    def size(self) -> int:
        return int(self.walls.shape[0])

    def free(self, x: int, y: int) -> bool:
        """Whether ``(x, y)`` is inside the grid and not a wall."""
        return 0 <= x < self.size and 0 <= y < self.size and not self.walls[y, x]

    def __repr__(self) -> str:
        where = f"agent={self.agent}, dir={self.agent_dir}, goal={self.goal}"
        return f"Level(size={self.size}, {where})"


def n_dims(size: int) -> int:
    """Length of the task vector of a ``size`` x ``size`` level."""
    return size * size + N_EXTRA


def wall_name(x: int, y: int) -> str:
    """Name of the task dimension holding the wall bit of cell ``(x, y)``."""
    return f"wall_y{y}_x{x}"


def encode(level: Level) -> NDArray[np.float64]:
    """The task vector of ``level`` (see the module docstring for the layout)."""
    extra = [*level.agent, level.agent_dir, *level.goal]
    return np.concatenate([level.walls.ravel().astype(np.float64), np.array(extra, np.float64)])


def decode(task: ArrayLike, size: int) -> Level:
    """The level a task vector encodes; raises InvalidTaskError if it is not a valid level."""
    arr = np.asarray(task, dtype=np.float64)
    if arr.shape != (n_dims(size),):
        raise InvalidTaskError(
            f"a {size}x{size} maze level has {n_dims(size)} entries ({size * size} wall bits then "
            f"agent_x, agent_y, agent_dir, goal_x, goal_y), got shape {arr.shape}"
        )
    bits = arr[: size * size]
    walls = bits.astype(bool)
    not_bits = walls != bits  # 0 and 1 equal their bool, anything else (NaN too) differs
    if not_bits.any():
        index = int(np.flatnonzero(not_bits)[0])
        name = wall_name(index % size, index // size)
        raise InvalidTaskError(f"maze level: {name} = {bits[index]!r}; a wall bit is 0 or 1")
    extra = arr[size * size :].tolist()
    limits = {"agent_x": size, "agent_y": size, "agent_dir": 4, "goal_x": size, "goal_y": size}
    for (name, limit), value in zip(limits.items(), extra, strict=True):
        if not 0 <= value < limit or not value.is_integer():  # NaN fails the bounds first
            raise InvalidTaskError(f"maze level: {name} = {value!r} is outside {{0..{limit - 1}}}")
    ax, ay, direction, gx, gy = map(int, extra)
    level = Level(walls.reshape(size, size), (ax, ay), direction, (gx, gy))
    check_level(level)
    return level


def check_level(level: Level) -> None:
    """Raise InvalidTaskError if the agent or the goal stands on a wall, or on each other."""
    (ax, ay), (gx, gy) = level.agent, level.goal
    if level.walls[gy, gx]:
        raise InvalidTaskError(
            f"maze level: the goal (goal_x={gx}, goal_y={gy}) is on a wall ({wall_name(gx, gy)} "
            "= 1); put the goal on a free cell or clear that wall"
        )
    if level.walls[ay, ax]:
        raise InvalidTaskError(
            f"maze level: the agent (agent_x={ax}, agent_y={ay}) starts on a wall "
            f"({wall_name(ax, ay)} = 1); start it on a free cell or clear that wall"
        )
    if (ax, ay) == (gx, gy):
        raise InvalidTaskError(
            f"maze level: the agent starts on the goal ({ax}, {ay}); they need distinct cells"
        )


def nearest_valid(task: NDArray[np.float64], size: int) -> NDArray[np.float64]:
    """The valid level nearest to a task vector of whole numbers within bounds: the walls under
    the agent and the goal are cleared and, if the goal is on the agent, it moves to the nearest
    other cell (row by row among equals). Few entries change, so a teacher that proposes points
    (ALP-GMM, RIAC) lands on a level close to the one it meant."""
    fixed = task.copy()
    walls = fixed[: size * size].reshape(size, size)  # a view: clearing it edits ``fixed``
    ax, ay, _, gx, gy = (int(v) for v in fixed[size * size :])
    walls[ay, ax] = walls[gy, gx] = 0.0
    if (ax, ay) == (gx, gy):
        ys, xs = np.divmod(np.arange(size * size), size)
        distance = np.abs(xs - ax) + np.abs(ys - ay) + size * 2 * walls.ravel()  # free first
        distance[ay * size + ax] = np.inf
        cell = int(np.argmin(distance))
        walls.ravel()[cell] = 0.0
        fixed[-2], fixed[-1] = cell % size, cell // size
    return fixed


# --- text form, for hand-designed layouts ---------------------------------------------------
AGENT_CHARS = {">": 0, "v": 1, "<": 2, "^": 3}


def from_text(rows: list[str]) -> Level:
    """A level drawn as text: ``#`` wall, ``.`` free, ``G`` goal, ``> v < ^`` the agent facing
    right, down, left or up. The drawing is square and excludes the outer wall ring."""
    size = len(rows)
    if any(len(row) != size for row in rows):
        raise ValueError(f"a maze drawing must be square, got row lengths {[len(r) for r in rows]}")
    walls = np.array([[ch == "#" for ch in row] for row in rows])
    agents = [(x, y) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch in AGENT_CHARS]
    goals = [(x, y) for y, row in enumerate(rows) for x, ch in enumerate(row) if ch == "G"]
    if len(agents) != 1 or len(goals) != 1:
        raise ValueError(f"a maze drawing needs one agent and one goal, got {agents} and {goals}")
    (ax, ay), goal = agents[0], goals[0]
    level = Level(walls, (ax, ay), AGENT_CHARS[rows[ay][ax]], goal)
    check_level(level)
    return level


def to_text(level: Level) -> list[str]:
    """Inverse of :func:`from_text`, for printing and debugging."""
    chars = np.where(level.walls, "#", ".").astype(object)
    chars[level.goal[1], level.goal[0]] = "G"
    chars[level.agent[1], level.agent[0]] = ">v<^"[level.agent_dir]
    return ["".join(row) for row in chars]


def embed(level: Level, size: int) -> Level:
    """``level`` placed in the top-left corner of a larger grid whose extra cells are walls, so
    that test mazes drawn at one size can be played by an env of a larger size."""
    if size < level.size:
        raise ValueError(f"cannot embed a {level.size}x{level.size} level in a {size}x{size} grid")
    walls = np.ones((size, size), dtype=bool)
    walls[: level.size, : level.size] = level.walls
    return Level(walls, level.agent, level.agent_dir, level.goal)


# --- generation and edits ------------------------------------------------------------------
def random_level(size: int, rng: np.random.Generator, max_walls: int) -> Level:
    """Domain randomization as in PAIRED and PLR: a number of walls drawn uniformly from
    ``0..max_walls``, placed on distinct cells uniformly at random, with the goal and the agent
    (random direction) on two other cells. The level may be unsolvable, as in those papers."""
    n_walls = int(rng.integers(0, min(max_walls, size * size - 2) + 1))
    cells = rng.permutation(size * size)[: n_walls + 2]
    walls = np.zeros(size * size, dtype=bool)
    walls[cells[2:]] = True
    goal, agent = [(int(c % size), int(c // size)) for c in cells[:2]]
    return Level(walls.reshape(size, size), agent, int(rng.integers(4)), goal)


def mutate_level(level: Level, rng: np.random.Generator, n_edits: int) -> Level:
    """ACCEL's edits (Parker-Holder et al. 2022): ``n_edits`` times, either flip one wall (add or
    remove it, never under the agent or the goal) or move the goal to another free cell; each
    with probability 1/2. The result is always a valid level."""
    walls = level.walls.copy()
    goal = level.goal
    size = level.size
    for _ in range(n_edits):
        occupied = np.zeros((size, size), dtype=bool)
        occupied[level.agent[1], level.agent[0]] = occupied[goal[1], goal[0]] = True
        if rng.random() < 0.5:
            cells = np.flatnonzero(~occupied)
            y, x = divmod(int(rng.choice(cells)), size)
            walls[y, x] = not walls[y, x]
        else:
            cells = np.flatnonzero(~occupied & ~walls)
            if cells.size:
                y, x = divmod(int(rng.choice(cells)), size)
                goal = (x, y)
    return Level(walls, level.agent, level.agent_dir, goal)


def perfect_maze(cells: int, rng: np.random.Generator) -> NDArray[np.bool_]:
    """Walls of a perfect maze (exactly one path between any two free cells) over ``cells`` x
    ``cells`` rooms, drawn by randomized depth-first search; shape ``2*cells-1`` squared.

    Room ``(i, j)`` is the free cell ``(2i, 2j)``; the cells between rooms are opened along
    the search tree."""
    side = 2 * cells - 1
    walls = np.ones((side, side), dtype=bool)
    walls[0, 0] = False
    visited = {(0, 0)}
    stack = [(0, 0)]
    while stack:
        i, j = stack[-1]
        options = [
            (i + dx, j + dy)
            for dx, dy in DIRECTIONS
            if 0 <= i + dx < cells and 0 <= j + dy < cells and (i + dx, j + dy) not in visited
        ]
        if not options:
            stack.pop()
            continue
        ni, nj = options[int(rng.integers(len(options)))]
        walls[2 * nj, 2 * ni] = walls[j + nj, i + ni] = False
        visited.add((ni, nj))
        stack.append((ni, nj))
    return walls


# --- solving -------------------------------------------------------------------------------
def shortest_path(level: Level) -> list[tuple[int, int]] | None:
    """Cells of a shortest 4-connected path from the agent to the goal (both included), by
    breadth-first search; ``None`` if the goal cannot be reached."""
    parent: dict[tuple[int, int], tuple[int, int] | None] = {level.agent: None}
    queue = deque([level.agent])
    while queue:
        cell = queue.popleft()
        if cell == level.goal:
            path = []
            step: tuple[int, int] | None = cell
            while step is not None:
                path.append(step)
                step = parent[step]
            return path[::-1]
        for dx, dy in DIRECTIONS:
            nxt = (cell[0] + dx, cell[1] + dy)
            if nxt not in parent and level.free(*nxt):
                parent[nxt] = cell
                queue.append(nxt)
    return None


def solve(level: Level) -> list[int] | None:
    """MiniGrid actions (turn left 0, turn right 1, forward 2) that walk a shortest path to the
    goal, turning the shorter way; ``None`` if the goal cannot be reached."""
    path = shortest_path(level)
    if path is None:
        return None
    actions: list[int] = []
    heading = level.agent_dir
    for (x0, y0), (x1, y1) in pairwise(path):
        wanted = DIRECTIONS.index((x1 - x0, y1 - y0))
        turn = (wanted - heading) % 4
        actions += [LEFT] if turn == 3 else [RIGHT] * turn
        actions.append(FORWARD)
        heading = wanted
    return actions
