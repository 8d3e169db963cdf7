"""The arm adapter: any task space cut into arms, tasks drawn inside the chosen arm's bin."""

import json

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers import TEACHERS, make_teacher
from aclbench.teachers.arms import (
    RETURN_LIMIT,
    Arms,
    ArmTeacher,
    boltzmann_probabilities,
    default_bins,
    draw,
    greedy_probabilities,
)


def test_single_discrete_dimension_gives_one_arm_per_value() -> None:
    space = TaskSpace({"level": 12})
    arms = Arms(space)
    assert arms.n == 12
    rng = np.random.default_rng(0)
    for arm in range(12):
        task = arms.sample(arm, rng)
        assert task.tolist() == [arm] and arms.arm_of(task) == arm


def test_default_grid_sizes() -> None:
    assert default_bins(TaskSpace({"x": (0.0, 1.0)})) == [10]
    assert default_bins(TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})) == [8, 8]
    assert default_bins(TaskSpace({f"x{i}": (0.0, 1.0) for i in range(6)})) == [2] * 6
    assert default_bins(TaskSpace({"x": (0.0, 1.0), "k": 3})) == [10, 3]
    assert default_bins(TaskSpace({"level": 200})) == [200]
    assert default_bins(TaskSpace({f"x{i}": (0.0, 1.0) for i in range(9)})) == [2] * 6 + [1] * 3


def test_continuous_bins_hold_their_samples() -> None:
    space = TaskSpace({"x": (0.0, 1.0), "y": (-2.0, 2.0)})
    arms = Arms(space, bins=4)
    assert arms.n == 16
    rng = np.random.default_rng(1)
    for arm in range(16):
        row, col = divmod(arm, 4)
        for _ in range(20):
            task = arms.sample(arm, rng)
            assert row * 0.25 <= task[0] <= (row + 1) * 0.25
            assert -2.0 + col <= task[1] <= -1.0 + col
            assert arms.arm_of(task) == arm
    # upper bounds belong to the last bin
    assert arms.arm_of(np.array([1.0, 2.0])) == 15


def test_samples_are_uniform_inside_the_bin() -> None:
    arms = Arms(TaskSpace({"x": (0.0, 10.0)}), bins=5)
    rng = np.random.default_rng(2)
    xs = np.array([arms.sample(3, rng)[0] for _ in range(4000)])
    assert xs.min() >= 6.0 and xs.max() <= 8.0
    counts = np.histogram(xs, bins=4, range=(6.0, 8.0))[0]
    assert counts.min() > 850  # 1000 expected per quarter


def test_discrete_dimension_with_fewer_bins_than_values() -> None:
    # 5 values into 2 half-open bins [0, 0.5), [0.5, 1] by their cell centres 0.1, 0.3, 0.5,
    # 0.7, 0.9: {0, 1} and {2, 3, 4}
    arms = Arms(TaskSpace({"k": 5, "x": (0.0, 1.0)}), bins={"k": 2})
    assert arms.shape == (2, 1)
    assert [arms.arm_of(np.array([k, 0.5])) for k in range(5)] == [0, 0, 1, 1, 1]
    rng = np.random.default_rng(3)
    drawn = {int(arms.sample(1, rng)[0]) for _ in range(50)}
    assert drawn == {2, 3, 4}


def test_user_edges() -> None:
    space = TaskSpace({"x": (0.0, 1.0), "k": 4})
    arms = Arms(space, bins={"x": [0.0, 0.1, 1.0], "k": [0, 1, 3]})
    assert arms.shape == (2, 2)
    assert arms.arm_of(np.array([0.05, 0.0])) == 0
    assert arms.arm_of(np.array([0.05, 2.0])) == 1
    assert arms.arm_of(np.array([0.5, 3.0])) == 3
    assert arms.describe()[1] == [[0.0, 0.1], [1.0, 3.0]]


@pytest.mark.parametrize(
    "bins, match",
    [
        (0, "need >= 1"),
        ({"z": 3}, "unknown dimensions"),
        ({"x": [0.0, 0.5]}, "edges that increase strictly from 0 to 1"),
        ({"x": [0.0, 0.7, 0.5, 1.0]}, "edges that increase"),
        ({"x": 2.5}, "give a count or edges"),
        ({"x": ["a", "b"]}, "give a count or edges"),
        ({"x": 100_000, "k": 4}, "400000 arms, more than 100000"),
        ({"k": [0, 0.2, 0.4, 3]}, "hold no value"),
        ("4", "must be None, an int or a mapping"),
    ],
)
def test_bad_bins_are_named(bins: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Arms(TaskSpace({"x": (0.0, 1.0), "k": 4}), bins=bins)  # type: ignore[arg-type]


def test_greedy_and_boltzmann_probabilities_by_hand() -> None:
    np.testing.assert_allclose(
        greedy_probabilities(np.array([1.0, 3.0, 3.0]), 0.3), [0.1, 0.45, 0.45]
    )
    np.testing.assert_allclose(
        boltzmann_probabilities(np.array([0.0, 0.5 * np.log(2.0)]), 0.5), [1 / 3, 2 / 3]
    )


def test_draw_follows_the_probabilities() -> None:
    rng = np.random.default_rng(4)
    counts = np.bincount([draw(np.array([0.2, 0.0, 0.8]), rng) for _ in range(5000)], minlength=3)
    assert counts[1] == 0 and 900 < counts[0] < 1100


class _FirstArm(ArmTeacher):
    def _choose_arm(self) -> int:
        return 0


def test_arm_teacher_samples_inside_its_arm_and_credits_feedback() -> None:
    seen: list[int] = []

    class Recorder(_FirstArm):
        def _update_arm(self, arm: int, episode_return: float) -> None:
            seen.append(arm)

    teacher = Recorder(TaskSpace({"x": (0.0, 1.0)}), seed=0, bins=4)
    assert all(teacher.sample_task()[0] <= 0.25 for _ in range(20))
    teacher.update([0.9], 1.0)
    teacher.update([0.3], 1.0)
    assert seen == [3, 1]


BIG = 1.7976931348623157e308  # the largest float


def test_returns_beyond_the_limit_count_as_the_limit() -> None:
    # Sums and differences of returns near the float limit overflowed: SEC's value of arm 0
    # became |(-BIG) - BIG| = inf and Boltzmann then drew the last arm forever (NaN weights).
    sec = make_teacher("sec", TaskSpace({"level": 3}), seed=0, window=2)
    for value in (BIG, -BIG):
        sec.update(np.array([0.0]), value)
    assert sec.values.tolist() == [0.5 * 2 * RETURN_LIMIT, 0.0, 0.0]  # alpha * |advantage|
    # Mastering Rate: the mean of a window of BIG was inf, and so were its bounds and NaN its
    # attention; now the window mean is the limit, which becomes arm 0's max return.
    rate = make_teacher("mastering-rate", TaskSpace({"level": 3}), seed=0, window=2)
    for value in (BIG, BIG):
        rate.update(np.array([0.0]), value)
    assert rate.max_returns.tolist() == [RETURN_LIMIT, 1.0, 1.0]
    assert rate.mastering_rates().tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "name", [n for n in TEACHERS.names() if issubclass(TEACHERS.get(n), ArmTeacher)]
)
def test_arm_teachers_keep_a_finite_state_at_the_float_limit(name) -> None:
    space = TaskSpace({"level": 3})
    teacher = make_teacher(name, space, seed=0)
    returns = [BIG, -BIG] * 15 + [BIG] * 30  # differences, then sums, overflow
    for i, value in enumerate(returns):
        teacher.update(np.array([float(i % 3)]), value)
    json.dumps(teacher.inner_state(), allow_nan=False)  # no NaN, no inf
