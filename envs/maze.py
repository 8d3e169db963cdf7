"""``maze``: a MiniGrid maze whose task is the whole level, for level-based teachers.

The UED maze of PAIRED (Dennis et al. 2020, "Emergent Complexity and Zero-shot Transfer via
Unsupervised Environment Design"), Robust PLR (Jiang et al. 2021, "Replay-Guided Adversarial
Environment Design") and ACCEL (Parker-Holder et al. 2022), built on Farama's MiniGrid: a
13 x 13 grid inside an outer wall ring (MiniGrid 15 x 15), walls, one goal. The agent sees a
5 x 5 egocentric window through walls, as in those papers, turns and moves forward, and gets
MiniGrid's reward ``1 - 0.9 * steps / max_steps`` on reaching the goal, 0 otherwise, within 250
steps. Solved means the goal was reached: return > 0.

The task is the level (:mod:`envs.maze_levels`): one 0/1 dimension per inner cell, then the
agent's position and direction and the goal's position. :class:`MazeTaskSpace` samples levels
the way those papers' domain randomization does (up to ``max_walls`` = 60 uniformly placed
walls, as in the reference mazes' random generator), rejects invalid levels (goal or agent on a
wall, agent on the goal), edits levels for ACCEL through ``mutate``, and offers PAIRED's
adversary a step-by-step construction through ``level_builder``.

The observation is flat, for SB3's ``MlpPolicy``: MiniGrid's ``view x view x 3`` encoding
(object, colour, state) scaled to [0, 1], then the agent's direction one-hot. It is read from
tables (:mod:`envs.maze_view`), not built cell by cell as MiniGrid's ``gen_obs`` builds it,
for speed, and equals what MiniGrid builds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from minigrid.core.grid import Grid
from minigrid.core.mission import MissionSpace
from minigrid.core.world_object import Goal, Wall, WorldObj
from minigrid.minigrid_env import MiniGridEnv
from numpy.typing import ArrayLike, NDArray

from aclbench.envs.maze_builder import MazeBuilder
from aclbench.envs.maze_layouts import held_out_levels
from aclbench.envs.maze_levels import (
    Level,
    decode,
    encode,
    mutate_level,
    nearest_valid,
    random_level,
    wall_name,
)
from aclbench.envs.maze_sequence import MazeCodec
from aclbench.envs.maze_view import MazeView
from aclbench.errors import InvalidTaskError
from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.task_space import DimensionSpec, Task, TaskSpace

_WALL = Wall()
"""The one Wall object of every maze cell that holds a wall (walls have no state)."""


class MazeTaskSpace(TaskSpace):
    """The levels of a ``size`` x ``size`` maze as a task space.

    ``sample`` is the random level generator (not uniform bits); ``validate`` also rejects
    invalid levels; ``clip`` returns the nearest valid level; ``mutate`` applies ACCEL's edits.
    Everything else is a plain TaskSpace of discrete dimensions, so teachers need not know it
    is a maze: those that propose points and clip them (ALP-GMM, RIAC) get valid levels.
    """

    def __init__(self, size: int = 13, max_walls: int = 60, seed: int | None = None) -> None:
        if size < 2 or not 0 <= max_walls:
            raise ValueError(f"maze: need size >= 2 and max_walls >= 0, got {size}, {max_walls}")
        self.size, self.max_walls = size, max_walls
        dims: dict[str, DimensionSpec] = {
            wall_name(x, y): 2 for y in range(size) for x in range(size)
        }
        dims.update(agent_x=size, agent_y=size, agent_dir=4, goal_x=size, goal_y=size)
        super().__init__(dims, seed=seed)

    def __repr__(self) -> str:
        last = wall_name(self.size - 1, self.size - 1)
        return (
            f"MazeTaskSpace({wall_name(0, 0)}..{last}: {{0..1}}, agent_x: {{0..{self.size - 1}}}, "
            f"agent_y: {{0..{self.size - 1}}}, agent_dir: {{0..3}}, goal_x: {{0..{self.size - 1}}}"
            f", goal_y: {{0..{self.size - 1}}})"
        )

    def validate(self, task: ArrayLike | Mapping[str, float]) -> Task:
        return self.checked(task)[0]

    def checked(self, task: ArrayLike | Mapping[str, float]) -> tuple[Task, Level]:
        """``validate(task)`` and the level it encodes, decoded once (a reset needs both).

        ``decode`` checks every bound that ``TaskSpace.validate`` checks, and a loop over 174
        dimensions is slow, so a float64 array is decoded first; a bad one then gets
        ``TaskSpace.validate``'s error, which names the dimension and its bounds.
        """
        if type(task) is np.ndarray and task.dtype == np.float64 and task.shape == self.shape:
            try:
                return task, decode(task, self.size)
            except InvalidTaskError:
                pass
        arr = super().validate(task)
        return arr, decode(arr, self.size)

    def clip(self, task: ArrayLike) -> Task:
        """The nearest valid level (:func:`~envs.maze_levels.nearest_valid`) of each task in
        ``task`` (shape ``(..., n_dims)``), after clipping to bounds and rounding."""
        clipped = super().clip(task)
        rows = clipped.reshape(-1, len(self))
        fixed = np.array([nearest_valid(row, self.size) for row in rows])
        return fixed.reshape(clipped.shape)

    def sample(self, rng: np.random.Generator | None = None, mask: None = None) -> Task:  # type: ignore[override]
        """A random level: up to ``max_walls`` uniformly placed walls (domain randomization)."""
        rng = self.np_random if rng is None else rng
        return encode(random_level(self.size, rng, self.max_walls))

    def mutate(self, task: ArrayLike, rng: np.random.Generator, n_edits: int = 1) -> Task:
        """ACCEL's edits: ``n_edits`` wall flips or goal moves; the result is a valid level."""
        return encode(mutate_level(self.level(task), rng, n_edits))

    def level_builder(self) -> MazeBuilder:
        """PAIRED's step-by-step construction of a level: up to ``max_walls`` walls, then the
        goal, then the agent (:mod:`envs.maze_builder`)."""
        return MazeBuilder(self.size, self.max_walls)

    def level_sequence(self) -> MazeCodec:
        """CLUTR's writing of a level as tokens: goal, agent, then the walls in order
        (:mod:`envs.maze_sequence`)."""
        return MazeCodec(self.size, self.max_walls)

    def level(self, task: ArrayLike) -> Level:
        """The :class:`~envs.maze_levels.Level` a task encodes (validated)."""
        return self.checked(task)[1]


class MazeEnv(MiniGridEnv):
    """A MiniGrid maze set from the task (a whole level) at every reset.

    Args:
        size: inner cells per side (13 in the UED papers).
        max_walls: most walls of a randomly generated level (60, as in the reference mazes).
        max_steps: episode length limit (250 in the UED papers).
        agent_view_size: side of the egocentric view, odd (5 in the UED papers).
        render_mode: MiniGrid's ``"human"`` or ``"rgb_array"``.
    """

    mastered_threshold = 0.0

    def __init__(
        self,
        size: int = 13,
        max_walls: int = 60,
        max_steps: int = 250,
        agent_view_size: int = 5,
        render_mode: str | None = None,
    ) -> None:
        if size < 5:
            raise ValueError(f"maze: size must be >= 5 (the smallest test maze), got {size}")
        if agent_view_size < 3 or agent_view_size % 2 == 0:  # MiniGrid only asserts it
            raise ValueError(f"maze: agent_view_size must be odd and >= 3, got {agent_view_size}")
        if max_steps < 1:  # MiniGrid's reward divides by it
            raise ValueError(f"maze: max_steps must be >= 1, got {max_steps}")
        self.task_space = MazeTaskSpace(size, max_walls)
        walls = np.zeros((size, size), dtype=bool)
        self.level = Level(walls, (0, 0), 0, (size - 1, size - 1))
        self.task: Task = encode(self.level)
        super().__init__(
            mission_space=MissionSpace(mission_func=lambda: "get to the green goal square"),
            grid_size=size + 2,
            max_steps=max_steps,
            agent_view_size=agent_view_size,
            see_through_walls=True,
            render_mode=render_mode,
        )
        self.action_space = spaces.Discrete(3)  # left, right, forward: the rest do nothing here
        n_obs = agent_view_size * agent_view_size * 3 + 4
        self.observation_space = spaces.Box(0.0, 1.0, (n_obs,), np.float32)
        self._test = held_out_levels(size)
        side = size + 2
        ring = np.ones((side, side), dtype=bool)
        ring[1:-1, 1:-1] = False
        self._ring: list[WorldObj | None] = [_WALL if r else None for r in ring.ravel().tolist()]
        inner = np.arange(size) + 1
        # the index in MiniGrid's flat grid of each inner cell, in the level's row-major order
        self._cell_index = (inner[:, None] * side + inner[None, :]).ravel()
        self._view = MazeView(size, agent_view_size)

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: the goal reached (return above 0); returns run from 0 to 1; ADR narrows at 0
        and widens at 0.5. No initial distribution: a level is a wall bitmap, no point of a
        Gaussian, so ``expert_knowledge = "high"`` is refused on the maze."""
        return ExpertKnowledge.from_mastery(self.mastered_threshold, (0.0, 1.0), (0.0, 0.5))

    def test_tasks(self) -> NDArray[np.float64]:
        """The hand-designed mazes that fit this grid, ``n_tasks`` x ``n_dims``."""
        return np.stack([encode(level) for level in self._test.values()])

    def test_task_names(self) -> list[str]:
        """Names of :meth:`test_tasks`, in the same order."""
        return list(self._test)

    def _gen_grid(self, width: int, height: int) -> None:
        # Walls have no state, so one Wall object fills every wall cell, and the outer ring is
        # copied from a template: the grid of a new level is a list copy and one store per wall,
        # not a new object per wall cell (which took half of MiniGrid's own reset time).
        self.grid = Grid(width, height)
        cells = self._ring.copy()
        for index in self._cell_index[self.level.walls.ravel()].tolist():
            cells[index] = _WALL
        self.grid.grid = cells
        self.put_obj(Goal(), self.level.goal[0] + 1, self.level.goal[1] + 1)
        self.agent_pos = (self.level.agent[0] + 1, self.level.agent[1] + 1)
        self.agent_dir = self.level.agent_dir
        self._view.set_level(self.level)

    def gen_obs(self) -> dict[str, Any]:
        """MiniGrid's observation, plus this env's under ``"flat"``, from :class:`MazeView`'s
        tables: MiniGrid's reset and step call this, and building it cell by cell as MiniGrid
        does was most of their time. Both equal MiniGrid's (the tests check it)."""
        image, flat = self._view.observe(self.agent_pos, self.agent_dir)
        return {"image": image, "direction": self.agent_dir, "mission": self.mission, "flat": flat}

    # MiniGridEnv annotates reset and step with Gymnasium's ObsType/ActType without being
    # generic over them, so mypy reads them as generic methods no concrete override matches.
    def reset(  # type: ignore[override]
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        if seed is not None:  # seed the generator before drawing a default task from it
            gym.Env.reset(self, seed=seed)
        task = None if options is None else options.get("task")  # as in task_from_options
        if task is None:
            task = self.task_space.sample(self.np_random)
        checked, self.level = self.task_space.checked(task)
        self.task = checked.copy() if checked is task else checked  # never the caller's array
        obs, _ = super().reset()
        return obs["flat"], {"task": self.task.copy()}

    def step(  # type: ignore[override]
        self, action: int
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, _ = super().step(action)
        reward = float(reward)
        info = {"is_success": reward > 0} if terminated or truncated else {}
        return obs["flat"], reward, terminated, truncated, info
