"""Maze levels as token sequences, for CLUTR's recurrent VAE (:mod:`teachers.level_sequences`).

CLUTR (Azad et al., ICML 2023) writes a navigation level as the goal's cell, the agent's cell,
then the wall cells in increasing order: sorting makes the writing of a level unique (the
order walls were placed in does not matter), which the paper found to matter for learning the
latent space. A cell's token is its index ``y * size + x`` in the level's row-major order.

Decoding repairs any sequence the way PAIRED's builder (:mod:`envs.maze_builder`) does: the
walls are placed, then the goal (clearing a wall under it), then the agent (clearing one too).
A missing goal is put on a random cell; a missing agent, or one on the goal, on a random other
cell (the reference places it at random too); walls past ``max_walls`` are dropped. The
agent's direction is not written: it is drawn, as the builder draws it. This module follows the
structural ``LevelCodec`` protocol without importing it (envs and teachers stay independent).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aclbench.envs.maze_levels import Level, decode, encode, random_level
from aclbench.task_space import Task


class MazeCodec:
    """Writes ``size`` x ``size`` levels of up to ``max_walls`` walls as cell tokens."""

    def __init__(self, size: int, max_walls: int) -> None:
        if size < 2 or max_walls < 0:
            raise ValueError(
                f"maze codec: need size >= 2 and max_walls >= 0, got {size}, {max_walls}"
            )
        self.size, self.max_walls = size, min(max_walls, size * size - 2)
        self.vocab_size = size * size
        self.max_len = self.max_walls + 2
        self.key = f"maze:size={size}:max_walls={max_walls}"

    def sample(self, rng: np.random.Generator) -> Task:
        """A level of the random generator the maze's task space samples from."""
        return encode(random_level(self.size, rng, self.max_walls))

    def encode(self, task: Task) -> list[int]:
        level = decode(task, self.size)
        walls = np.flatnonzero(level.walls.ravel()).tolist()
        (gx, gy), (ax, ay) = level.goal, level.agent
        return [gy * self.size + gx, ay * self.size + ax, *walls]

    def decode(self, tokens: Sequence[int], rng: np.random.Generator) -> Task:
        n_cells = self.vocab_size
        cells = [int(t) % n_cells for t in tokens]
        walls = np.zeros(n_cells, dtype=bool)
        walls[cells[2 : 2 + self.max_walls]] = True
        goal = cells[0] if cells else int(rng.integers(n_cells))
        agent = cells[1] if len(cells) > 1 else goal
        if agent == goal:
            others = np.delete(np.arange(n_cells), goal)
            agent = int(rng.choice(others))
        walls[goal] = walls[agent] = False
        (gy, gx), (ay, ax) = divmod(goal, self.size), divmod(agent, self.size)
        direction = int(rng.integers(4))
        return encode(Level(walls.reshape(self.size, self.size), (ax, ay), direction, (gx, gy)))
