"""The maze level codec, generator, edits and solver (envs.maze_levels)."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.envs.maze_levels import (
    FORWARD,
    LEFT,
    RIGHT,
    Level,
    decode,
    embed,
    encode,
    from_text,
    mutate_level,
    n_dims,
    nearest_valid,
    perfect_maze,
    random_level,
    shortest_path,
    solve,
    to_text,
)
from aclbench.errors import InvalidTaskError

TINY = [
    ">.#",
    ".##",
    "..G",
]


def test_encode_layout_by_hand() -> None:
    level = from_text(TINY)
    expected = [0, 0, 1, 0, 1, 1, 0, 0, 0] + [0, 0, 0, 2, 2]
    np.testing.assert_array_equal(encode(level), expected)
    assert n_dims(3) == 14


def test_random_levels_round_trip_exactly() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        level = random_level(13, rng, max_walls=60)
        task = encode(level)
        back = decode(task, 13)
        np.testing.assert_array_equal(back.walls, level.walls)
        assert (back.agent, back.agent_dir, back.goal) == (level.agent, level.agent_dir, level.goal)
        np.testing.assert_array_equal(encode(back), task)
        assert from_text(to_text(back)).goal == level.goal


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda t: t.__setitem__(8, 1.0), ["goal", "on a wall", "wall_y2_x2"]),
        (lambda t: t.__setitem__(0, 1.0), ["agent", "on a wall", "wall_y0_x0"]),
        (lambda t: t.__setitem__(slice(9, 11), [2.0, 2.0]), ["agent starts on the goal"]),
        (lambda t: t.__setitem__(9, 3.0), ["agent_x", "{0..2}"]),
        (lambda t: t.__setitem__(11, 4.0), ["agent_dir", "{0..3}"]),
        (lambda t: t.__setitem__(4, 0.5), ["wall_y1_x1", "0 or 1"]),
        (lambda t: t.__setitem__(4, 2.0), ["wall_y1_x1", "0 or 1"]),
        (lambda t: t.__setitem__(5, np.nan), ["wall_y1_x2", "0 or 1"]),
        (lambda t: t.__setitem__(11, np.nan), ["agent_dir", "{0..3}"]),
        (lambda t: t.__setitem__(12, 1.5), ["goal_x", "{0..2}"]),
    ],
)
def test_invalid_levels_get_a_clear_error(change, words: list[str]) -> None:
    task = encode(from_text(TINY))
    change(task)
    with pytest.raises(InvalidTaskError) as err:
        decode(task, 3)
    for word in words:
        assert word in str(err.value)


def test_wrong_length_names_the_layout() -> None:
    with pytest.raises(InvalidTaskError, match="14 entries"):
        decode(np.zeros(13), 3)


def test_random_level_walls_are_uniform_in_count_and_place() -> None:
    rng = np.random.default_rng(1)
    levels = [random_level(13, rng, max_walls=60) for _ in range(400)]
    counts = np.array([level.walls.sum() for level in levels])
    assert counts.min() >= 0 and counts.max() <= 60
    assert 25 < counts.mean() < 35  # uniform over 0..60 has mean 30
    density = np.mean([level.walls for level in levels], axis=0)
    assert density.max() < 0.4 and density.min() > 0.1  # no cell is favoured (mean ~0.18)
    for level in levels:
        assert not level.walls[level.goal[1], level.goal[0]]
        assert not level.walls[level.agent[1], level.agent[0]]
        assert level.agent != level.goal


def test_mutations_keep_levels_valid_and_small() -> None:
    rng = np.random.default_rng(2)
    for _ in range(200):
        level = random_level(13, rng, max_walls=60)
        child = mutate_level(level, rng, n_edits=3)
        decode(encode(child), 13)  # valid, or this raises
        assert child.agent == level.agent and child.agent_dir == level.agent_dir
        flips = int((child.walls != level.walls).sum())
        assert flips <= 3


def test_mutations_add_and_remove_walls_and_move_the_goal() -> None:
    rng = np.random.default_rng(3)
    level = random_level(13, rng, max_walls=60)
    added = removed = moved = 0
    for _ in range(300):
        child = mutate_level(level, rng, n_edits=1)
        added += int((child.walls & ~level.walls).any())
        removed += int((~child.walls & level.walls).any())
        moved += int(child.goal != level.goal)
    assert added > 50 and removed > 5 and moved > 100


def test_shortest_path_on_a_tiny_level_by_hand() -> None:
    level = from_text(TINY)
    assert shortest_path(level) == [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2)]
    # facing right: turn right (down), forward twice, turn left (right), forward twice
    assert solve(level) == [RIGHT, FORWARD, FORWARD, LEFT, FORWARD, FORWARD]


def test_unreachable_goal_has_no_path() -> None:
    level = from_text([">#.", "##.", "..G"])
    assert shortest_path(level) is None and solve(level) is None


def test_perfect_maze_is_a_spanning_tree() -> None:
    for rooms in (3, 5, 7):
        walls = perfect_maze(rooms, np.random.default_rng(rooms))
        free = ~walls
        edges = int((free[:, 1:] & free[:, :-1]).sum() + (free[1:, :] & free[:-1, :]).sum())
        assert edges == free.sum() - 1  # a connected graph with one edge fewer than nodes
        corner = 2 * rooms - 2
        level = Level(walls, (0, 0), 0, (corner, corner))
        assert shortest_path(level) is not None


def test_embed_pads_with_walls() -> None:
    level = embed(from_text(TINY), 5)
    assert level.size == 5 and level.walls[3:, :].all() and level.walls[:, 3:].all()
    assert level.goal == (2, 2) and shortest_path(level) is not None


def test_nearest_valid_clears_the_walls_under_the_agent_and_the_goal() -> None:
    task = encode(from_text(TINY))
    task[0] = task[8] = 1.0  # walls under the agent (0, 0) and the goal (2, 2)
    fixed = nearest_valid(task, 3)
    assert to_text(decode(fixed, 3)) == TINY  # exactly those two entries changed back


def test_nearest_valid_moves_a_goal_off_the_agent_to_the_nearest_free_cell() -> None:
    task = encode(from_text(TINY))
    task[12:14] = [0.0, 0.0]  # goal on the agent at (0, 0)
    # free cells at distance 1: (1, 0) and (0, 1); row by row, (1, 0) comes first
    assert decode(nearest_valid(task, 3), 3).goal == (1, 0)
    task[1] = 1.0  # (1, 0) becomes a wall: (0, 1) is the nearest free cell
    assert decode(nearest_valid(task, 3), 3).goal == (0, 1)
    task[:9] = 1.0  # all walls: the nearest cell is cleared for the goal
    level = decode(nearest_valid(task, 3), 3)
    assert level.goal == (1, 0) and not level.walls[0, 1] and level.walls.sum() == 7
