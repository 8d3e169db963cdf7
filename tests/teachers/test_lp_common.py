"""Helpers of the learning-progress teachers: tiny inputs, answers computed by hand."""

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.errors import ConfigError
from aclbench.teachers.lp_common import (
    ReturnScaler,
    proportional_choice,
    resolve_preset,
    unit_to_task_affine,
)
from aclbench.teachers.nearest import NearestNeighbours


def test_proportional_choice_follows_positive_weights():
    rng = np.random.default_rng(0)
    draws = [proportional_choice(np.array([0.0, 1.0, 3.0, -2.0]), rng) for _ in range(8000)]
    counts = np.bincount(draws, minlength=4) / len(draws)
    assert counts[0] == 0 and counts[3] == 0  # zero and negative weights are never drawn
    np.testing.assert_allclose(counts[1:3], [0.25, 0.75], atol=0.02)


def test_proportional_choice_is_uniform_without_positive_weight():
    rng = np.random.default_rng(0)
    draws = [proportional_choice(np.array([0.0, -1.0, 0.0]), rng) for _ in range(3000)]
    np.testing.assert_allclose(np.bincount(draws) / 3000, [1 / 3] * 3, atol=0.03)


def test_proportional_choice_with_nan_huge_and_infinite_weights():
    rng = np.random.default_rng(0)
    huge = np.array([np.nan, 1.5e308, 1.5e308])  # their sum overflows
    draws = np.bincount([proportional_choice(huge, rng) for _ in range(2000)], minlength=3)
    assert draws[0] == 0 and abs(draws[1] - 1000) < 100
    infinite = np.array([1.0, np.inf, 2.0, np.inf])
    draws = np.bincount([proportional_choice(infinite, rng) for _ in range(2000)], minlength=4)
    assert draws[0] == draws[2] == 0 and abs(draws[1] - 1000) < 100


def test_return_scaler_maps_paper_bounds_to_unit_interval_and_clips():
    scale = ReturnScaler("t", (-150, 350))
    assert [scale(r) for r in (-150.0, 100.0, 350.0, 600.0, -400.0)] == [0, 0.5, 1, 1, 0]
    assert ReturnScaler("t", None)(-1234.5) == -1234.5


@pytest.mark.parametrize("bounds", [(1.0, 1.0), (2.0, 1.0), (0.0, float("inf")), (0.0,), "ab"])
def test_return_scaler_rejects_bad_bounds(bounds):
    with pytest.raises(ConfigError, match="return_bounds"):
        ReturnScaler("t", bounds)


def test_unit_to_task_affine_inverts_to_unit():
    space = TaskSpace({"size": 3, "gravity": (-20.0, 0.0)})  # discrete {0, 1, 2}, continuous
    offset, span = unit_to_task_affine(space)
    np.testing.assert_allclose(offset, [-0.5, -20.0])
    np.testing.assert_allclose(span, [3.0, 20.0])
    task = np.array([2.0, -5.0])
    np.testing.assert_allclose(offset + span * space.to_unit(task), task)


def test_presets_and_their_errors():
    presets = {"paper": {"a": 1, "b": 2}, "other": {"a": 3, "b": 4}}
    assert resolve_preset("t", presets, "other", {"a": None, "b": 9}) == {"a": 3, "b": 9}
    with pytest.raises(ConfigError, match="t: preset must be one of 'paper', 'other', got 'papr'"):
        resolve_preset("t", presets, "papr", {})


def test_nearest_neighbour_by_hand():
    nn = NearestNeighbours(2, buffer_size=2)
    for point, value in [((0.0, 0.0), 1.0), ((1.0, 0.0), 2.0), ((0.0, 1.0), 3.0)]:
        nn.add(np.array(point), value)
    # two points went into the tree, the third sits in the buffer
    assert nn.nearest_value(np.array([0.9, 0.2])) == 2.0
    assert nn.nearest_value(np.array([0.1, 0.8])) == 3.0
    assert nn.nearest_value(np.array([0.2, 0.1])) == 1.0


def test_nearest_neighbour_matches_brute_force_across_rebuilds_and_pickling():
    import pickle

    rng = np.random.default_rng(1)
    points, values = rng.random((300, 3)), rng.random(300)
    nn = NearestNeighbours(3, buffer_size=37)
    for i in range(300):
        nn.add(points[i], values[i])
        if i % 50 == 49:
            nn = pickle.loads(pickle.dumps(nn))
        query = rng.random(3)
        expected = values[np.argmin(((points[: i + 1] - query) ** 2).sum(axis=1))]
        assert nn.nearest_value(query) == expected
