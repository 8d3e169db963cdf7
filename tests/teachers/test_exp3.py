"""EXP3 / EXP3.S (Auer et al. 2002, as used by Graves et al. 2017), checked by hand."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers.exp3 import Exp3STeacher, Exp3Teacher, exp3s_step


def test_exp3_step_by_hand() -> None:
    pi = np.array([0.5, 0.5])
    # reward 1 on arm 0 drawn with probability 1/2: importance-weighted 2, times eta 0.5
    np.testing.assert_allclose(exp3s_step(np.zeros(2), pi, 0, 1.0, 0.5, 0.0, 0.0), [0.0, -1.0])
    # beta 0.1 adds 0.1 / pi to both arms before the step: [2.2, 0.2] * 0.5
    np.testing.assert_allclose(exp3s_step(np.zeros(2), pi, 0, 1.0, 0.5, 0.1, 0.0), [0.0, -1.0])


def test_exp3s_step_shares_weight_by_hand() -> None:
    # raised log-weights [1, 0]; each arm keeps 0.9 of its mass and gets 0.1 of the other's
    new = exp3s_step(np.zeros(2), np.array([0.5, 0.5]), 0, 1.0, 0.5, 0.0, 0.1)
    expected_gap = np.log((0.9 * np.e + 0.1) / (0.9 + 0.1 * np.e))
    assert new[0] == 0.0 and new[0] - new[1] == pytest.approx(expected_gap)


def test_rewards_are_rescaled_by_the_20th_and_80th_percentiles_of_earlier_signals() -> None:
    teacher = Exp3Teacher(TaskSpace({"task": 2}), seed=0)
    assert teacher._rescale(5.0) == 0.0  # no earlier signal: neutral
    teacher = Exp3Teacher(TaskSpace({"task": 2}), seed=0)
    for signal in (0.0, 1.0, 2.0, 3.0, 4.0):
        teacher._rescale(signal)
    # earlier [0, 1, 2, 3, 4]: quantiles 0.8 and 3.2, 2 is half way -> 0
    assert teacher._rescale(2.0) == pytest.approx(0.0)
    # earlier [0, 1, 2, 2, 3, 4]: quantiles 1 and 3 -> at the low one, -1
    assert teacher._rescale(1.0) == pytest.approx(-1.0)
    # earlier [0, 1, 1, 2, 2, 3, 4]: quantiles 1 and 2.8 -> 2 * 1.5 / 1.8 - 1
    assert teacher._rescale(2.5) == pytest.approx(2 * 1.5 / 1.8 - 1)
    assert teacher._rescale(10.0) == 1.0


def test_reservoir_keeps_a_bounded_history() -> None:
    teacher = Exp3Teacher(TaskSpace({"task": 2}), seed=0, history=3)
    for signal in range(100):
        teacher._rescale(float(signal))
    assert teacher.signals_seen == 100 and teacher.reservoir.size == 3
    assert len(set(teacher.reservoir.tolist())) == 3


def test_the_arm_that_progresses_gains_probability() -> None:
    teacher = Exp3STeacher(TaskSpace({"task": 3}), seed=0)
    rng = np.random.default_rng(0)
    plays = np.zeros(3)
    for _ in range(300):
        task = int(teacher.sample_task()[0])
        plays[task] += 1
        teacher.update([task], plays[task] * 0.01 * (task == 1) + 0.001 * rng.standard_normal())
    assert teacher.probabilities()[1] > 0.8 and plays[1] > plays.sum() / 2


def test_bad_parameters_are_named() -> None:
    space = TaskSpace({"task": 2})
    with pytest.raises(ConfigError, match="eta"):
        Exp3Teacher(space, eta=0.0)
    with pytest.raises(ConfigError, match="epsilon"):
        Exp3STeacher(space, epsilon=1.5)
    with pytest.raises(ConfigError, match="alpha"):
        Exp3STeacher(space, alpha=-0.1)
    with pytest.raises(ConfigError, match="beta"):
        Exp3Teacher(space, beta=-1.0)
