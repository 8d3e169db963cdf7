"""TaskSpace.mutate: the default small edit used by ACCEL on non-maze spaces."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.errors import InvalidTaskError
from aclbench.task_space import TaskSpace


def test_one_edit_moves_one_continuous_dimension_by_at_most_five_percent() -> None:
    space = TaskSpace({"a": (0.0, 10.0), "b": (-1.0, 1.0)})
    rng = np.random.default_rng(0)
    task = np.array([5.0, 0.0])
    for _ in range(200):
        child = space.mutate(task, rng)
        moved = np.flatnonzero(child != task)
        assert len(moved) == 1
        width = space.high[moved[0]] - space.low[moved[0]]
        assert abs(child[moved[0]] - task[moved[0]]) <= 0.05 * width


def test_discrete_dimensions_step_to_a_neighbour_and_stay_in_bounds() -> None:
    space = TaskSpace({"n": 3, "x": (0.0, 1.0)})
    rng = np.random.default_rng(1)
    steps = set()
    for _ in range(300):
        task = space.sample(rng)
        child = space.mutate(task, rng, n_edits=3)
        assert space.contains(child)
        steps.add(float(child[0] - task[0]))
    assert steps <= {-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0} and {-1.0, 1.0} <= steps
    rng = np.random.default_rng(2)
    for _ in range(50):  # at the corner every edit steps back inside
        corner = np.array([2.0, 1.0])
        child = space.mutate(corner, rng)
        assert space.contains(child) and np.count_nonzero(child != corner) == 1


def test_same_generator_state_gives_the_same_child_and_bad_tasks_raise() -> None:
    space = TaskSpace({"a": (0.0, 1.0), "n": 4})
    task = np.array([0.5, 2.0])
    a = space.mutate(task, np.random.default_rng(3), n_edits=4)
    b = space.mutate(task, np.random.default_rng(3), n_edits=4)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(InvalidTaskError):
        space.mutate(np.array([2.0, 0.0]), np.random.default_rng(0))
