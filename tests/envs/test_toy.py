"""The ``toy`` bench's unlock rule (envs.toy), as in Portelas et al.'s code."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.envs.toy import ToyEnv


def cell_centre(cell: tuple[int, ...], cells_per_dim: int) -> np.ndarray:
    return (np.array(cell) + 0.5) / cells_per_dim


def play(env: ToyEnv, cell: tuple[int, ...]) -> float:
    env.reset(options={"task": cell_centre(cell, env.cells_per_dim)})
    return float(env.step(0)[1])


def test_a_cell_learns_once_a_previous_neighbour_is_mastered_diagonals_included() -> None:
    env = ToyEnv(n_dims=2, cells_per_dim=4)
    env.reset(seed=0)
    assert play(env, (1, 1)) == 0.0  # nothing mastered: only the origin can learn
    assert play(env, (0, 0)) == 0.01
    env.competence[0, 0] = 76
    assert play(env, (1, 1)) == 0.01  # diagonal previous neighbour
    assert play(env, (1, 0)) == 0.01 and play(env, (0, 1)) == 0.01
    assert play(env, (2, 0)) == 0.0 and play(env, (2, 2)) == 0.0  # two steps away
    env.competence[1, 1] = 76
    assert play(env, (2, 2)) == 0.01 and play(env, (2, 1)) == 0.01 and play(env, (1, 2)) == 0.01
    assert play(env, (0, 2)) == 0.0  # (1, 1) is not a previous neighbour of (0, 2)


def test_mastered_cell_alone_does_not_unlock_itself() -> None:
    env = ToyEnv(n_dims=3, cells_per_dim=3)
    env.reset(seed=0)
    env.competence[2, 2, 2] = 80
    assert play(env, (2, 2, 2)) == 0.8  # no previous neighbour mastered: no gain
    env.competence[1, 2, 1] = 80
    assert play(env, (2, 2, 2)) == 0.81


def test_origin_moves_the_corner_competence_spreads_from() -> None:
    env = ToyEnv(n_dims=2, cells_per_dim=4, origin=(1, 0))  # high end of x0, low end of x1
    env.reset(seed=0)
    assert play(env, (0, 0)) == 0.0  # the low corner is now the far one
    assert play(env, (3, 0)) == 0.01
    assert env.competence[0, 0] == 1  # competence is indexed from the origin
    env.competence[0, 0] = 76
    assert play(env, (2, 1)) == 0.01  # the diagonal neighbour, one step away from (3, 0)
    assert play(env, (1, 1)) == 0.0
    assert env.competence_of(cell_centre((2, 1), 4)) == 0.01


def test_a_bad_origin_is_refused_with_what_is_allowed() -> None:
    for origin in ((0,), (0, 2), (True, False)):
        with pytest.raises(ValueError, match="origin must be 2 values, each 0"):
            ToyEnv(n_dims=2, origin=origin)


def test_wider_space_beyond_one_is_unfeasible_and_below_zero_plays_the_origin() -> None:
    env = ToyEnv(n_dims=2, cells_per_dim=4, low=-1.0, high=2.0)
    env.reset(seed=0)
    assert env.task_space.low.tolist() == [-1.0, -1.0] and env.task_space.high.tolist() == [2, 2]
    np.testing.assert_array_equal(env.test_tasks(), ToyEnv(n_dims=2, cells_per_dim=4).test_tasks())
    for task in ([1.5, 0.1], [0.1, 1.01], [2.0, 2.0]):
        env.reset(options={"task": np.array(task)})
        assert env.step(0)[1] == 0.0  # nothing to learn out there
    assert env.competence.sum() == 0
    env.reset(options={"task": np.array([-0.5, 1.7])})  # a negative coordinate: the origin
    assert env.step(0)[1] == 0.01 and env.competence[0, 0] == 1
    assert play(env, (0, 0)) == 0.02


def test_gain_is_the_competence_a_play_adds() -> None:
    env = ToyEnv(n_dims=2, cells_per_dim=4, gain=5)
    env.reset(seed=0)
    assert play(env, (0, 0)) == 0.05 and play(env, (0, 0)) == 0.10
