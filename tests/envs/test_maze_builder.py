"""PAIRED's maze construction: walls, then the goal, then the agent; always a valid level."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.envs.maze import MazeTaskSpace
from aclbench.envs.maze_builder import MazeBuilder
from aclbench.envs.maze_levels import decode
from aclbench.teachers.level_builders import builder_for
from aclbench.teachers.paired import PAIREDTeacher


def build(builder: MazeBuilder, cells: list[int], seed: int = 0) -> np.ndarray:
    builder.reset()
    for cell in cells:
        builder.step(cell)
    return builder.level(np.random.default_rng(seed))


def test_a_construction_by_hand() -> None:
    builder = MazeBuilder(size=5, n_walls=4)
    assert (builder.n_steps, builder.n_actions, builder.obs_dim) == (6, 25, 54)
    builder.reset()
    # Walls on (2, 0), again on (2, 0) (no change), on (0, 3) and (4, 4); goal on the wall at
    # (4, 4), which removes it; the agent may not go on the goal.
    for cell in (2, 2, 15, 24, 24):
        assert builder.mask().all()
        builder.step(cell)
    assert not builder.mask()[24] and builder.mask().sum() == 24
    with pytest.raises(ValueError, match="cell 24 not allowed"):
        builder.step(24)
    obs = builder.observation()
    assert (
        obs[:25].sum() == 2
        and obs[25 + 24] == 1.0
        and obs[50:].tolist() == pytest.approx([0, 0, 1, 5 / 6])
    )
    builder.step(7)  # the agent at (2, 1)
    level = decode(builder.level(np.random.default_rng(0)), 5)
    assert sorted(zip(*np.nonzero(level.walls))) == [(0, 2), (3, 0)]  # (y, x)
    assert level.goal == (4, 4) and level.agent == (2, 1) and 0 <= level.agent_dir < 4
    with pytest.raises(ValueError, match="not allowed at step 6"):
        builder.step(0)


def test_the_agent_placed_on_a_wall_clears_it() -> None:
    level = decode(build(MazeBuilder(size=5, n_walls=1), [12, 0, 12]), 5)
    assert level.agent == (2, 2) and not level.walls.any()


def test_an_unfinished_level_is_refused() -> None:
    builder = MazeBuilder(size=5, n_walls=2)
    builder.reset()
    builder.step(3)
    with pytest.raises(ValueError, match="unfinished after 1 of 4"):
        builder.level(np.random.default_rng(0))


def test_random_constructions_are_valid_levels_of_the_env() -> None:
    space = MazeTaskSpace(size=7, max_walls=30)
    builder = builder_for(space)
    assert isinstance(builder, MazeBuilder) and builder.n_steps == 32
    rng = np.random.default_rng(1)
    for _ in range(200):
        builder.reset()
        for _ in range(builder.n_steps):
            builder.step(int(rng.choice(np.flatnonzero(builder.mask()))))
        task = builder.level(rng)
        space.validate(task)  # raises InvalidTaskError on an invalid level
        assert decode(task, 7).walls.sum() <= 30


def test_the_paired_teacher_builds_valid_maze_levels() -> None:
    space = MazeTaskSpace(size=7, max_walls=10)
    teacher = PAIREDTeacher(space, seed=0)
    levels = [teacher.sample_task() for _ in range(20)]
    for task in levels:
        assert space.contains(task)
        decode(task, 7)
    assert len({t.tobytes() for t in levels}) == 20  # an untrained adversary: diverse levels
