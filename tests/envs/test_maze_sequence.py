"""CLUTR's writing of maze levels: goal, agent, then sorted walls; any tokens decode to a
valid level, repaired as PAIRED's builder repairs a construction."""

from __future__ import annotations

import numpy as np

from aclbench.envs.maze import MazeTaskSpace
from aclbench.envs.maze_levels import decode, encode, from_text
from aclbench.envs.maze_sequence import MazeCodec
from aclbench.teachers.level_sequences import codec_for


def test_a_level_by_hand() -> None:
    level = from_text(["..#..", "#...G", ".....", ".>..#", "....."])
    codec = MazeCodec(size=5, max_walls=6)
    tokens = codec.encode(encode(level))
    assert tokens == [9, 16, 2, 5, 19]  # goal (4, 1), agent (1, 3), walls in row-major order
    back = decode(codec.decode(tokens, np.random.default_rng(0)), 5)
    assert (back.walls == level.walls).all() and (back.goal, back.agent) == (
        level.goal,
        level.agent,
    )


def test_random_levels_round_trip_but_for_the_drawn_direction() -> None:
    space = MazeTaskSpace(size=13, max_walls=60)
    codec = space.level_sequence()
    rng = np.random.default_rng(1)
    for _ in range(200):
        task = space.sample(rng)
        tokens = codec.encode(task)
        assert len(tokens) <= codec.max_len and tokens[2:] == sorted(tokens[2:])
        assert max(tokens) < codec.vocab_size
        back = codec.decode(tokens, rng)
        same = np.ones(len(task), dtype=bool)
        same[-3] = False  # agent_dir is drawn
        assert np.array_equal(back[same], task[same])


def test_any_tokens_decode_to_a_valid_level() -> None:
    codec = MazeCodec(size=5, max_walls=3)
    rng = np.random.default_rng(2)
    cases = [[], [7], [7, 7], [7, 7, 7, 8], [3, 4, 3, 4, 5, 6, 9, 10], [30, 54, 99], [0, 1, 0, 1]]
    for tokens in cases:
        level = decode(codec.decode(tokens, rng), 5)  # raises if the level is invalid
        assert level.walls.sum() <= 3 and level.agent != level.goal
    level = decode(codec.decode([3, 4, 3, 4, 5, 6, 9, 10], rng), 5)
    # the first 3 wall tokens only (max_walls), and goal and agent clear theirs
    assert level.walls.ravel().nonzero()[0].tolist() == [5]
    assert decode(codec.decode([30, 54], rng), 5).goal == (0, 1)  # 30 wraps to cell 5


def test_the_maze_space_offers_its_codec_to_teachers() -> None:
    codec = codec_for(MazeTaskSpace(size=7, max_walls=10))
    assert isinstance(codec, MazeCodec) and codec.max_len == 12 and codec.vocab_size == 49
    assert codec.key == "maze:size=7:max_walls=10"
