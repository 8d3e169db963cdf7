"""ALP-GMM: ALP by hand, fit schedule, Gaussian choice by ALP, presets."""

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.errors import ConfigError
from aclbench.teachers import make_teacher
from aclbench.teachers.alp_gmm import AlpGmmTeacher
from aclbench.teachers.gmm_fit import Mixture

LINE = TaskSpace({"x": (0.0, 10.0)})
SQUARE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 2.0)})


def test_alp_is_the_return_gap_to_the_nearest_previous_task():
    teacher = AlpGmmTeacher(LINE, seed=0)
    for x, r in [(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0), (4, 5.0), (5, 6.0)]:
        teacher.update([x], r)
    # no ALP until more than 5 tasks were played
    assert [row[-1] for row in teacher.window] == [0.0] * 6
    teacher.update([4.4], 10.0)  # nearest previous task: x = 4, return 5
    assert teacher.window[-1][-1] == 5.0
    teacher.update([4.3], 1.0)  # nearest previous task now: x = 4.4, return 10
    assert teacher.window[-1][-1] == 9.0
    np.testing.assert_allclose(teacher.window[-1][:-1], [0.43])  # tasks in the unit cube


def test_return_bounds_scale_returns_before_alp():
    teacher = AlpGmmTeacher(LINE, seed=0, return_bounds=(-150, 350))
    for x in range(6):
        teacher.update([x], -150.0)
    teacher.update([4.4], 100.0)  # scaled: 0.5 against 0.0
    assert teacher.window[-1][-1] == 0.5


def test_mixture_fitted_after_bootstrap_then_every_fit_rate_episodes():
    teacher = AlpGmmTeacher(SQUARE, seed=0, fit_rate=40, k_range=(2, 3))
    rng = np.random.default_rng(0)
    fits = []
    for episode in range(1, 121):
        teacher.update(SQUARE.sample(rng), float(rng.random()))
        fits.append(teacher.fitted_at)
        if episode < 40:
            assert teacher.mixture is None
    assert sorted(set(fits) - {None}) == [40, 80, 120]
    assert len(teacher.window) == 40  # the fitted window is the last fit_rate episodes


def test_gaussians_are_chosen_in_proportion_to_their_alp():
    teacher = AlpGmmTeacher(SQUARE, seed=0, random_task_ratio=0.0)
    tiny = 1e-6 * np.eye(3)
    teacher.mixture = Mixture(
        means=np.array([[0.2, 0.2, 1.0], [0.8, 0.8, 3.0], [0.5, 0.5, 0.0]]),
        covariances=np.stack([tiny, tiny, tiny]),
        weights=np.array([0.2, 0.2, 0.6]),
    )
    tasks = np.array([teacher.sample_task() for _ in range(4000)])
    near = lambda centre: np.mean(np.all(np.abs(tasks - centre) < 0.01, axis=1))  # noqa: E731
    # task units: x in [0, 1], y in [0, 2]
    assert near([0.2, 0.4]) == pytest.approx(0.25, abs=0.02)
    assert near([0.8, 1.6]) == pytest.approx(0.75, abs=0.02)
    assert near([0.5, 1.0]) == 0.0  # ALP 0: never chosen, whatever its weight


def test_random_task_ratio_share_of_uniform_tasks():
    teacher = AlpGmmTeacher(SQUARE, seed=0, random_task_ratio=0.3)
    teacher.mixture = Mixture(
        np.array([[0.5, 0.5, 1.0]]), np.array([1e-8 * np.eye(3)]), np.array([1.0])
    )
    tasks = np.array([teacher.sample_task() for _ in range(4000)])
    off_centre = np.mean(np.any(np.abs(tasks - [0.5, 1.0]) > 1e-3, axis=1))
    assert off_centre == pytest.approx(0.3, abs=0.03)


def test_presets_name_the_paper_and_teachmyagent_values():
    paper = make_teacher("alp-gmm", SQUARE, seed=0, preset="paper")
    assert (paper.fit_rate, paper.random_task_ratio, paper.k_range) == (250, 0.2, (2, 10))
    assert (paper.n_bootstrap, paper.criterion) == (250, "aic")
    assert paper.warm_start is False  # the authors' code refits every k from k-means
    default = make_teacher("alp-gmm", SQUARE, seed=0)
    assert default.preset == "paper" and default.warm_start is False
    warm = make_teacher("alp-gmm", SQUARE, seed=0, preset="paper-warm")
    assert warm.warm_start is True
    assert (warm.fit_rate, warm.random_task_ratio, warm.k_range) == (250, 0.2, (2, 10))
    tma = make_teacher("alp-gmm", SQUARE, seed=0, preset="teachmyagent")
    assert (tma.fit_rate, tma.random_task_ratio, tma.k_range) == (150, 0.05, (2, 9))
    assert tma.warm_start is False
    mixed = make_teacher("alp-gmm", SQUARE, seed=0, preset="teachmyagent", fit_rate=100)
    assert (mixed.fit_rate, mixed.random_task_ratio) == (100, 0.05)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"preset": "tma"}, "preset"),
        ({"fit_rate": 0}, "fit_rate"),
        ({"random_task_ratio": 1.5}, "random_task_ratio"),
        ({"k_range": (0, 4)}, "k_range"),
        ({"k_range": (5, 4)}, "k_range"),
        ({"criterion": "likelihood"}, "criterion"),
        ({"return_bounds": (1, 0)}, "return_bounds"),
        ({"n_bootstrap": -1}, "n_bootstrap"),
    ],
)
def test_invalid_parameters_are_named_in_the_error(params, field):
    with pytest.raises(ConfigError, match=field):
        make_teacher("alp-gmm", SQUARE, seed=0, **params)


def test_inner_state_reports_gaussians_in_task_units():
    teacher = AlpGmmTeacher(SQUARE, seed=0, fit_rate=60, k_range=(2, 2))
    rng = np.random.default_rng(0)
    assert teacher.inner_state() == {"fitted_at": None, "gaussians": []}
    assert teacher.learning_progress().size == 0
    for _ in range(60):  # returns rise in the corner x, y > half
        task = SQUARE.sample(rng)
        teacher.update(task, float(rng.random() * (task[0] > 0.5 and task[1] > 1.0)))
    state = teacher.inner_state()
    assert state["fitted_at"] == 60 and len(state["gaussians"]) == 2
    means = np.array([g["mean"] for g in state["gaussians"]])
    unit_means = teacher.mixture.means[:, :2]
    np.testing.assert_allclose(means, unit_means * [1.0, 2.0])
    cov = np.array(state["gaussians"][0]["covariance"])
    np.testing.assert_allclose(cov, teacher.mixture.covariances[0, :2, :2] * [[1, 2], [2, 4]])
    assert sum(g["probability"] for g in state["gaussians"]) == pytest.approx(1.0)
    assert [g["alp"] for g in state["gaussians"]] == list(teacher.mixture.means[:, -1])
    assert list(teacher.learning_progress()) == list(teacher.mixture.means[:, -1])
