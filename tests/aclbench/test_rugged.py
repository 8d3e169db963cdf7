"""The rugged-difficulty bijection (aclbench.rugged): cells permuted, offsets kept."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.rugged import CellShuffle
from aclbench.task_space import TaskSpace

SPACE = TaskSpace({"height": (0.0, 4.0), "spacing": (0.0, 8.0)})


def cell_of(task: np.ndarray) -> tuple[int, ...]:
    """Cell of a task of SPACE cut in 4: widths 1 and 2."""
    return (int(task[0] // 1.0), int(task[1] // 2.0))


def test_each_cell_maps_onto_one_cell_and_the_offset_inside_it_is_kept() -> None:
    shuffle = CellShuffle(SPACE, cuts=4, seed=21)
    targets = set()
    for i, j in itertools.product(range(4), range(4)):
        corner = np.array([i * 1.0, j * 2.0])
        offset = np.array([0.3, 1.1])
        moved = shuffle.forward(corner + offset)
        target = cell_of(moved)
        targets.add(target)
        np.testing.assert_allclose(moved - np.array([target[0] * 1.0, target[1] * 2.0]), offset)
        # every task of the cell goes to the same cell
        assert cell_of(shuffle.forward(corner + np.array([0.9, 0.1]))) == target
    assert len(targets) == 16  # a permutation of the 16 cells...
    moved = [
        cell_of(shuffle.forward(np.array([i + 0.5, 2 * j + 1.0]))) != (i, j)
        for i, j in itertools.product(range(4), range(4))
    ]
    assert sum(moved) >= 8  # ...that moves most of them


def test_inverse_undoes_forward_and_the_seed_fixes_the_permutation() -> None:
    rng = np.random.default_rng(0)
    shuffle = CellShuffle(SPACE, cuts=4, seed=21)
    for task in SPACE.low + rng.random((200, 2)) * (SPACE.high - SPACE.low):
        np.testing.assert_allclose(shuffle.inverse(shuffle.forward(task)), task, atol=1e-12)
        assert SPACE.contains(shuffle.forward(task))
    centres = SPACE.grid(4)
    same = CellShuffle(SPACE, cuts=4, seed=21)
    other = CellShuffle(SPACE, cuts=4, seed=22)
    assert all(np.array_equal(shuffle.forward(c), same.forward(c)) for c in centres)
    assert any(not np.array_equal(shuffle.forward(c), other.forward(c)) for c in centres)


def test_per_dimension_moves_whole_rows_as_teachmyagents_code() -> None:
    shuffle = CellShuffle(SPACE, cuts=4, seed=3, per_dimension=True)
    centres = SPACE.grid(4).reshape(4, 4, 2)  # [height cell, spacing cell]
    for i in range(4):
        heights = {shuffle.forward(centres[i, j])[0] for j in range(4)}
        assert len(heights) == 1  # the row of height cell i stays one row
    for j in range(4):
        spacings = {shuffle.forward(centres[i, j])[1] for i in range(4)}
        assert len(spacings) == 1


def test_discrete_dimension_moves_groups_of_values_exactly() -> None:
    space = TaskSpace({"task": 8})
    shuffle = CellShuffle(space, cuts=4, seed=21)
    images = [shuffle.forward(np.array([float(v)]))[0] for v in range(8)]
    assert sorted(images) == list(range(8))
    for v in range(0, 8, 2):  # a group of two consecutive values stays together, in order
        assert images[v + 1] == images[v] + 1 and images[v] % 2 == 0
    assert all(shuffle.inverse(np.array([images[v]]))[0] == v for v in range(8))


@pytest.mark.parametrize(
    ("space", "config", "message"),
    [
        (SPACE, {"cuts": 1}, "cuts must be an integer >= 2"),
        (SPACE, {"seed": -1}, "seed must be an integer >= 0"),
        (SPACE, {"cut": 4}, "unknown key(s) cut; allowed: cuts, seed, per_dimension"),
        (TaskSpace({"task": 6}), {"cuts": 4}, "has 6 values, which 4 cuts do not divide"),
        (TaskSpace({f"x{i}": (0.0, 1.0) for i in range(11)}), {}, "set per_dimension = true"),
    ],
)
def test_bad_settings_are_refused_with_one_line(
    space: TaskSpace, config: dict, message: str
) -> None:
    with pytest.raises(ConfigError, match="rugged: .*") as err:
        CellShuffle.from_config(space, config)
    assert message in str(err.value)
