"""How PAIRED's adversary builds a maze level: walls one cell at a time, then the goal, then
the agent.

From Dennis et al. 2020, "Emergent Complexity and Zero-shot Transfer via Unsupervised
Environment Design", in the variant whose goal and agent come last (the reference mazes'
"goal last" adversary): every step chooses one of the ``size * size`` inner cells. The first
``n_walls`` steps put a wall on the chosen cell (a cell that already has one stays as it is, so
the adversary may build fewer walls); the next step puts the goal there, removing a wall if
there is one; the last step puts the agent there, removing a wall too. The agent may not be
put on the goal (that choice is masked), so every construction is a valid level; its start
direction is drawn at random, as in the reference. Levels may be unsolvable, as in the paper.

Observation (``2 * size * size + 4`` floats): the wall map, the goal map (row by row, as the
task encoding of :mod:`envs.maze_levels`), the one-hot phase (wall, goal, agent) and the
fraction of the construction done. It follows the structural ``LevelBuilder`` protocol of
:mod:`teachers.level_builders` without importing it (envs and teachers stay independent).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from aclbench.envs.maze_levels import Level, encode
from aclbench.task_space import Task


class MazeBuilder:
    """Builds ``size`` x ``size`` maze levels in ``n_walls + 2`` choices of a cell."""

    def __init__(self, size: int, n_walls: int) -> None:
        if size < 2 or n_walls < 0:
            raise ValueError(
                f"maze builder: need size >= 2 and n_walls >= 0, got {size}, {n_walls}"
            )
        self.size, self.n_walls = size, n_walls
        self.n_steps = n_walls + 2
        self.n_actions = size * size
        self.obs_dim = 2 * self.n_actions + 4
        self.walls = np.zeros(self.n_actions, dtype=bool)
        self.goal: int | None = None
        self.agent: int | None = None
        self._t = 0

    def reset(self) -> None:
        self.walls[:] = False
        self.goal = self.agent = None
        self._t = 0

    def _phase(self) -> int:
        """0 while placing walls, 1 for the goal, 2 for the agent, 3 when done."""
        return min(self._t - self.n_walls, 2) + 1 if self._t >= self.n_walls else 0

    def observation(self) -> NDArray[np.float32]:
        obs = np.zeros(self.obs_dim, dtype=np.float32)
        obs[: self.n_actions] = self.walls
        if self.goal is not None:
            obs[self.n_actions + self.goal] = 1.0
        phase = self._phase()
        if phase < 3:
            obs[2 * self.n_actions + phase] = 1.0
        obs[-1] = self._t / self.n_steps
        return obs

    def mask(self) -> NDArray[np.bool_]:
        mask = np.ones(self.n_actions, dtype=bool)
        if self._phase() == 2 and self.goal is not None:
            mask[self.goal] = False
        return mask

    def step(self, action: int) -> None:
        phase = self._phase()
        if phase == 3 or not (0 <= action < self.n_actions and self.mask()[action]):
            raise ValueError(f"maze builder: cell {action} not allowed at step {self._t}")
        if phase == 0:
            self.walls[action] = True
        else:
            self.walls[action] = False
            if phase == 1:
                self.goal = action
            else:
                self.agent = action
        self._t += 1

    def level(self, rng: np.random.Generator) -> Task:
        if self.goal is None or self.agent is None:
            raise ValueError(f"maze builder: level unfinished after {self._t} of {self.n_steps}")
        (ay, ax), (gy, gx) = divmod(self.agent, self.size), divmod(self.goal, self.size)
        walls = self.walls.reshape(self.size, self.size).copy()
        return encode(Level(walls, (ax, ay), int(rng.integers(4)), (gx, gy)))
