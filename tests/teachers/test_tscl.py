"""TSCL (Matiisen et al. 2017): the four learning-progress estimates and the choice rules."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers import check_teacher, make_teacher
from aclbench.teachers.tscl import TSCLTeacher

SPACE = TaskSpace({"task": 3})


def test_online_is_an_average_of_return_changes() -> None:
    teacher = TSCLTeacher(SPACE, seed=0, variant="online", alpha=0.5)
    teacher.update([1], 1.0)  # change 1 - 0 -> Q = 0.5
    teacher.update([1], 3.0)  # change 2 -> Q = 0.5 * 2 + 0.5 * 0.5
    teacher.update([2], -2.0)  # change -2 -> Q = -1
    np.testing.assert_allclose(teacher.inner_state()["learning_progress"], [0.0, 1.25, -1.0])


def test_naive_plays_blocks_and_fits_a_slope_per_block() -> None:
    teacher = TSCLTeacher(SPACE, seed=0, variant="naive", alpha=0.5, window=4)
    tasks = [int(teacher.sample_task()[0]) for _ in range(8)]
    assert len(set(tasks[:4])) == 1 and len(set(tasks[4:])) == 1
    for value in (0.0, 1.0, 2.0):
        teacher.update([0], value)
    assert teacher.inner_state()["learning_progress"][0] == 1.0  # no block yet: untried
    teacher.update([0], 3.0)  # slope 1 over the block -> Q = 0.5
    assert teacher.inner_state()["learning_progress"][0] == 0.5


def test_naive_tries_every_task_once_before_exploiting() -> None:
    """An untried task counts 1, above any played task's |Q| here: the first blocks go to the
    tasks not tried yet, whatever the noise slope of the tasks already played."""
    teacher = TSCLTeacher(TaskSpace({"task": 4}), seed=0, variant="naive", window=2, epsilon=0.0)
    blocks = []
    for _ in range(4):
        task = int(teacher.sample_task()[0])
        assert int(teacher.sample_task()[0]) == task
        blocks.append(task)
        teacher.update([task], 0.0)
        teacher.update([task], 0.01)
    assert sorted(blocks) == [0, 1, 2, 3]


def test_window_slope_is_against_time_and_one_until_two_points() -> None:
    teacher = TSCLTeacher(SPACE, seed=0, variant="window", window=3)
    teacher.update([0], 0.0)  # t = 0
    teacher.update([1], 5.0)  # t = 1
    teacher.update([0], 1.0)  # t = 2
    teacher.update([0], 3.0)  # t = 3: points (0, 0), (2, 1), (3, 3) -> slope 13/14
    np.testing.assert_allclose(teacher.inner_state()["learning_progress"], [13 / 14, 1.0, 1.0])


def test_sampling_draws_a_recorded_change() -> None:
    teacher = TSCLTeacher(SPACE, seed=0, variant="sampling", window=2)
    for value in (1.0, 4.0, 2.0):  # changes 1, 3, -2; the window keeps 3 and -2
        teacher.update([0], value)
    rng = np.random.default_rng(0)
    draws = {float(teacher.progress.estimates(rng)[0]) for _ in range(50)}
    assert draws == {3.0, -2.0}
    assert teacher.progress.estimates(rng)[1] == 1.0  # never played
    assert teacher.inner_state()["learning_progress"][0] == 0.5  # mean change without rng


def test_policies() -> None:
    assert TSCLTeacher(SPACE, seed=0).policy == "egreedy"
    assert TSCLTeacher(SPACE, seed=0, variant="sampling").policy == "thompson"
    with pytest.raises(ConfigError, match="needs variant='sampling'"):
        TSCLTeacher(SPACE, seed=0, policy="thompson")
    with pytest.raises(
        ConfigError,
        match="variant must be one of 'online', 'naive', 'window', 'sampling', got 'windowed'",
    ):
        TSCLTeacher(SPACE, seed=0, variant="windowed")
    with pytest.raises(
        ConfigError, match="policy must be one of 'egreedy', 'boltzmann', 'thompson', got 'ucb'"
    ):
        TSCLTeacher(SPACE, seed=0, policy="ucb")
    with pytest.raises(ConfigError, match="temperature"):
        TSCLTeacher(SPACE, seed=0, policy="boltzmann", temperature=0.0)


@pytest.mark.parametrize(
    "params",
    [
        {"variant": "online"},
        {"variant": "naive"},
        {"variant": "window", "policy": "boltzmann"},
        {"variant": "sampling"},
        {"variant": "sampling", "policy": "egreedy"},
    ],
)
def test_every_variant_follows_the_teacher_rules(params: dict) -> None:
    for space in (TaskSpace({"task": 5}), TaskSpace({"x": (0.0, 1.0), "k": 3})):
        check_teacher(TSCLTeacher, space, episodes=200, **params)


@pytest.mark.parametrize("variant", ["online", "naive", "window", "sampling"])
def test_every_variant_finds_the_one_task_that_progresses(variant: str) -> None:
    """Four tasks; only task 2's return rises (slowly, with a little noise): a uniform teacher
    would give it a quarter of the episodes, TSCL much more."""
    teacher = make_teacher("tscl", TaskSpace({"task": 4}), seed=1, variant=variant)
    rng = np.random.default_rng(1)
    skill, plays = 0.0, np.zeros(4)
    for _ in range(600):
        task = int(teacher.sample_task()[0])
        plays[task] += 1
        if task == 2:
            skill = min(skill + 0.003, 1.0)
        teacher.update([task], (skill if task == 2 else 0.0) + 0.002 * rng.standard_normal())
    assert plays[2] / plays.sum() > 0.4, plays
