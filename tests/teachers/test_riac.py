"""RIAC: window ALP by hand, splits where progress differs, forgetting when it cannot split."""

import sys

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.errors import ConfigError
from aclbench.teachers import make_teacher
from aclbench.teachers.riac import RiacTeacher, window_alp

SQUARE = TaskSpace({"x": (0.0, 4.0), "y": (0.0, 1.0)})


def test_window_alp_by_hand():
    assert window_alp([1.0, 2.0], 10) == 0.0  # fewer than 3 returns
    assert window_alp([-1e308, -1e308, 1e308, 1e308], 10) == sys.float_info.max  # no overflow
    assert window_alp([1.0, 2.0, 3.0, 4.0], 10) == 2.0  # |mean(1, 2) - mean(3, 4)|
    assert window_alp([1.0, 2.0, 3.0, 4.0, 5.0], 10) == pytest.approx(
        2.5
    )  # |mean(1, 2, 3) - mean(4, 5)|
    assert window_alp([9.0, 9.0, 1.0, 2.0, 3.0, 4.0], 4) == pytest.approx(
        2.0
    )  # only the last 4 count


def test_leaf_splits_between_progress_and_no_progress():
    teacher = RiacTeacher(SQUARE, seed=0, max_region_size=100)
    rng = np.random.default_rng(0)
    for episode in range(101):
        task = SQUARE.sample(rng)
        teacher.update(task, episode / 100 if task[0] < 2.0 else 0.0)
    assert len(teacher.regions) == 3 and teacher.regions[0].cut is not None
    dim, threshold = teacher.regions[0].cut
    assert dim == 0 and threshold == pytest.approx(0.5, abs=0.1)  # unit cube: x = 2
    left, right = (teacher.regions[i] for i in teacher.regions[0].children)
    assert len(left.returns) + len(right.returns) == 101
    assert np.all(np.array(left.tasks)[:, 0] < threshold)
    assert teacher.alps[1] > 0.3 and teacher.alps[2] == 0.0
    # children respect the minimum width on every dimension
    for region in (left, right):
        assert np.all(region.high - region.low >= 1 / 6)


def test_region_that_cannot_split_forgets_its_oldest_quarter():
    teacher = RiacTeacher(SQUARE, seed=0, max_region_size=40)
    for i in range(41):  # all on one task: no cut can leave points on both sides
        teacher.update([1.0, 0.5], float(i))
    assert len(teacher.regions) == 1
    assert list(teacher.regions[0].returns) == [float(i) for i in range(10, 41)]


def test_sampling_follows_region_alp():
    teacher = RiacTeacher(SQUARE, seed=0, max_region_size=100, random_ratio=0.0)
    rng = np.random.default_rng(0)
    for episode in range(101):
        task = SQUARE.sample(rng)
        teacher.update(task, episode / 100 if task[0] < 2.0 else 0.0)
    tasks = np.array([teacher.sample_task() for _ in range(2000)])
    # regions: root (both halves), left (progress), right (none): left half dominates
    assert np.mean(tasks[:, 0] < 2.0) > 0.6


def test_mutation_stays_in_its_region_near_the_worst_task():
    teacher = RiacTeacher(SQUARE, seed=0, random_ratio=0.0, mutation_ratio=1.0)
    teacher.update([1.0, 0.5], -5.0)
    teacher.update([3.0, 0.5], 5.0)
    tasks = np.array([teacher.sample_task() for _ in range(500)])
    np.testing.assert_allclose(tasks.mean(axis=0), [1.0, 0.5], atol=0.05)


def test_presets_and_errors():
    tma = make_teacher("riac", SQUARE, seed=0, preset="teachmyagent")
    assert (tma.max_region_size, tma.n_split_attempts, tma.min_region_width) == (150, 75, 0.1)
    assert make_teacher("riac", SQUARE, seed=0).preset == "teachmyagent"  # measures best
    paper = make_teacher("riac", SQUARE, seed=0, preset="paper")
    assert (paper.max_region_size, paper.n_split_attempts, paper.min_region_size) == (200, 50, 10)
    assert paper.min_region_width == pytest.approx(1 / 15)
    for bad in ({"min_region_width": 0.7}, {"random_ratio": 0.8, "mutation_ratio": 0.3}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            make_teacher("riac", SQUARE, seed=0, **bad)


def test_inner_state_lists_regions_in_task_units():
    teacher = RiacTeacher(SQUARE, seed=0, max_region_size=100)
    rng = np.random.default_rng(0)
    for episode in range(101):
        task = SQUARE.sample(rng)
        teacher.update(task, episode / 100 if task[0] < 2.0 else 0.0)
    regions = teacher.inner_state()["regions"]
    assert regions[0]["low"] == [0.0, 0.0] and regions[0]["high"] == [4.0, 1.0]
    assert [r["leaf"] for r in regions] == [False, True, True]
    assert regions[1]["high"][0] == pytest.approx(4.0 * teacher.regions[0].cut[1])
    assert [r["n_points"] for r in regions] == [
        101,
        len(teacher.regions[1].returns),
        101 - len(teacher.regions[1].returns),
    ]
