"""SEC (Chen et al. 2025): TD(0) on absolute advantages, Boltzmann choice; checked by hand."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from teachers.arms import boltzmann_probabilities
from teachers.sec import SECTeacher


def test_values_by_hand() -> None:
    teacher = SECTeacher(TaskSpace({"task": 2}), seed=0, alpha=0.5)
    teacher.update([0], 0.2)  # first episode of the arm: no baseline yet
    assert teacher.values.tolist() == [0.0, 0.0]
    teacher.update([0], 0.6)  # |0.6 - 0.2| = 0.4 -> Q = 0.2
    assert teacher.values[0] == pytest.approx(0.2)
    teacher.update([0], 0.4)  # baseline mean(0.2, 0.6) = 0.4 -> |A| = 0 -> Q = 0.1
    assert teacher.values[0] == pytest.approx(0.1)


def test_choice_is_boltzmann_over_values() -> None:
    teacher = SECTeacher(TaskSpace({"task": 2}), seed=0, temperature=0.1)
    teacher.values = np.array([0.0, 0.1 * np.log(3.0)])  # probabilities 1/4, 3/4
    np.testing.assert_allclose(boltzmann_probabilities(teacher.values, 0.1), [0.25, 0.75])
    picks = [int(teacher.sample_task()[0]) for _ in range(4000)]
    assert 0.72 < np.mean(picks) < 0.78


def test_the_task_in_its_learning_zone_wins() -> None:
    """Success probability 0.5 on task 1 (largest absolute advantage), 0.02 and 0.98 elsewhere."""
    teacher = SECTeacher(TaskSpace({"task": 3}), seed=0, temperature=0.05)
    rng = np.random.default_rng(0)
    plays = np.zeros(3)
    for _ in range(600):
        task = int(teacher.sample_task()[0])
        plays[task] += 1
        teacher.update([task], float(rng.random() < (0.02, 0.5, 0.98)[task]))
    assert plays[1] > 0.6 * plays.sum(), plays


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ConfigError, match="temperature"):
        SECTeacher(TaskSpace({"task": 2}), temperature=-1.0)
    with pytest.raises(ConfigError, match="alpha"):
        SECTeacher(TaskSpace({"task": 2}), alpha=2.0)
