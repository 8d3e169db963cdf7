"""Covar-GMM: learning progress as the time-return covariance of each Gaussian."""

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.errors import ConfigError
from aclbench.teachers import make_teacher
from aclbench.teachers.covar_gmm import CovarGmmTeacher
from aclbench.teachers.gmm_fit import Mixture

SQUARE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 2.0)})


def covariances(time_return_cov):
    """4-D (x, y, time, return) covariances with the given time-return entries."""
    out = []
    for c in time_return_cov:
        cov = 1e-6 * np.eye(4)
        cov[2, 2] = cov[3, 3] = 1.0
        cov[2, 3] = cov[3, 2] = c
        out.append(cov)
    return np.stack(out)


def test_learning_progress_is_the_positive_time_return_covariance():
    teacher = CovarGmmTeacher(SQUARE, seed=0)
    means = np.array([[0.2, 0.2, 0.5, 0.0], [0.8, 0.8, 0.5, 0.0], [0.5, 0.5, 0.5, 0.0]])
    teacher.mixture = Mixture(means, covariances([0.1, 0.3, -0.5]), np.full(3, 1 / 3))
    np.testing.assert_allclose(teacher.learning_progress(), [0.1, 0.3, 0.0])
    teacher.absolute_lp = True
    np.testing.assert_allclose(teacher.learning_progress(), [0.1, 0.3, 0.5])


def test_gaussians_are_chosen_in_proportion_to_positive_covariance():
    teacher = CovarGmmTeacher(SQUARE, seed=0, random_task_ratio=0.0)
    means = np.array([[0.2, 0.2, 0.5, 0.0], [0.8, 0.8, 0.5, 0.0], [0.5, 0.5, 0.5, 0.0]])
    teacher.mixture = Mixture(means, covariances([0.1, 0.3, -0.5]), np.full(3, 1 / 3))
    tasks = np.array([teacher.sample_task() for _ in range(4000)])
    share = lambda centre: np.mean(np.all(np.abs(tasks - centre) < 0.01, axis=1))  # noqa: E731
    assert share([0.2, 0.4]) == pytest.approx(0.25, abs=0.02)
    assert share([0.8, 1.6]) == pytest.approx(0.75, abs=0.02)
    assert share([0.5, 1.0]) == 0.0  # falling returns: no progress


def test_fit_sees_rising_returns_where_they_rise():
    """Returns rise over time in the left half only: the Gaussians there get the progress."""
    teacher = CovarGmmTeacher(SQUARE, seed=0, fit_rate=200, k_range=(2, 4))
    rng = np.random.default_rng(0)
    for episode in range(200):
        task = SQUARE.sample(rng)
        rising = episode / 200 if task[0] < 0.5 else 0.3
        teacher.update(task, rising + 0.01 * rng.standard_normal())
    lp = teacher.learning_progress()
    left = teacher.mixture.means[:, 0] < 0.5
    assert lp[left].max() > 0.01 and np.all(lp[~left] < 0.1 * lp[left].max())


def test_presets_and_errors():
    tma = make_teacher("covar-gmm", SQUARE, seed=0, preset="teachmyagent")
    assert (tma.fit_rate, tma.random_task_ratio, tma.k_range) == (150, 0.05, (2, 9))
    paper = make_teacher("covar-gmm", SQUARE, seed=0)
    assert (paper.fit_rate, paper.random_task_ratio, paper.k_range) == (250, 0.2, (2, 10))
    assert paper.preset == "paper" and paper.warm_start is False
    with pytest.raises(ConfigError, match="random_task_ratio"):
        make_teacher("covar-gmm", SQUARE, seed=0, random_task_ratio=-0.1)


def test_inner_state_names_learning_progress():
    teacher = CovarGmmTeacher(SQUARE, seed=0, fit_rate=50, k_range=(2, 2))
    rng = np.random.default_rng(0)
    for i in range(50):
        teacher.update(SQUARE.sample(rng), i / 50)
    gaussians = teacher.inner_state()["gaussians"]
    assert len(gaussians) == 2
    assert [g["lp"] for g in gaussians] == list(teacher.learning_progress())
