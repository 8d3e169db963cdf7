"""SPDL: the Gaussian algebra by hand, the constrained step, alpha, and where values come from."""

import math

import numpy as np
import pytest
from scipy import stats

from aclbench.task_space import TaskSpace
from aclbench.teachers import make_teacher
from aclbench.teachers.spdl import gaussian_kl, log_density, trust_region_step
from benchmarks.perf.teachers_toy import run_toy

UNIT = (np.array([0.0]), np.array([[1.0]]))


def test_kl_of_gaussians_matches_the_closed_forms_by_hand() -> None:
    shifted = (np.array([1.0]), np.array([[1.0]]))
    wider = (np.array([0.0]), np.array([[2.0]]))
    assert gaussian_kl(UNIT, shifted) == pytest.approx(0.5)  # (mu1 - mu0)^2 / 2
    assert gaussian_kl(UNIT, wider) == pytest.approx(0.5 * (0.25 - 1 + math.log(4)))
    assert gaussian_kl(wider, wider) == pytest.approx(0.0)


def test_log_density_matches_scipy_with_a_full_covariance() -> None:
    chol = np.array([[0.3, 0.0], [0.1, 0.2]])
    mean = np.array([0.4, 0.6])
    points = np.random.default_rng(0).random((5, 2))
    expected = stats.multivariate_normal(mean, chol @ chol.T).logpdf(points)
    np.testing.assert_allclose(log_density(points, (mean, chol)), expected)


def test_a_step_stays_in_the_trust_region_and_moves_toward_value() -> None:
    rng = np.random.default_rng(0)
    old = (np.array([0.5]), np.array([[0.1]]))
    contexts = old[0] + 0.1 * rng.standard_normal((200, 1))
    values = contexts[:, 0]  # worth more to the right
    new = trust_region_step(old, UNIT, contexts, values, 0.0, 0.05)
    assert gaussian_kl(new, old) <= 0.05 + 1e-6
    assert gaussian_kl(new, old) > 0.04  # the linear objective pushes to the region's edge
    assert new[0][0] > 0.52  # a shift alone would reach 0.5 + 0.1 * sqrt(2 * 0.05) = 0.53


def test_with_no_value_to_gain_a_step_moves_toward_the_target() -> None:
    old = (np.array([0.2]), np.array([[0.1]]))
    target = (np.array([0.8]), np.array([[0.2]]))
    contexts = np.linspace(0.0, 0.4, 50)[:, None]
    new = trust_region_step(old, target, contexts, np.zeros(50), 1.0, 0.1)
    assert gaussian_kl(new, target) < gaussian_kl(old, target)
    assert gaussian_kl(new, old) <= 0.1 + 1e-6


LINE = TaskSpace({"x": (0.0, 10.0)})


def spdl(**params):  # noqa: ANN003, ANN201
    settings = {"initial_mean": [2.0], "update_frequency": 10, "offset": 10, "alpha_offset": 1}
    return make_teacher("spdl", LINE, seed=0, **{**settings, **params})


def test_alpha_is_zero_for_alpha_offset_updates_then_zeta_times_performance_over_kl() -> None:
    teacher = spdl(zeta=0.5)
    for _ in range(10):
        teacher.update(teacher.sample_task(), 3.0)
    assert (teacher.updates, teacher.alpha) == (1, 0.0)
    before = gaussian_kl((teacher.mean, teacher.chol), (teacher.target_mean, teacher.target_chol))
    for _ in range(10):
        teacher.update(teacher.sample_task(), 3.0)
    assert teacher.updates == 2
    assert teacher.alpha == pytest.approx(0.5 * 3.0 / before)


def test_student_values_replace_returns_once_given() -> None:
    """Values high to the right and returns high to the left: the mean follows the values."""
    with_values, returns_only = spdl(), spdl()
    for teacher in (with_values, returns_only):
        for _ in range(40):
            task = teacher.sample_task()
            if teacher is with_values:
                teacher.on_initial_values(task[None], task)
            teacher.update(task, -float(task[0]))
    assert with_values.updates == returns_only.updates == 4
    assert with_values.inner_state()["mean"][0] > 2.0 > returns_only.inner_state()["mean"][0]


def test_inner_state_is_in_task_units() -> None:
    teacher = spdl(initial_std=0.05)
    state = teacher.inner_state()
    assert state["mean"] == pytest.approx([2.0])
    assert state["std"] == pytest.approx([0.5])
    assert teacher.resolved_params["target_mean"] == [5.0]


TOY_EPISODES = 10_000
EXPERT_START = {"initial_mean": [0.05, 0.05], "initial_std": 0.05, "std_lower_bound": 0.1}
"""High expert knowledge on the toy bench (a Gaussian on the origin cell, where competence
starts), with the authors' lower bound on the standard deviation (a cell's width)."""


def test_on_the_toy_bench_spdl_from_the_origin_beats_random_and_from_a_random_start_does_not():
    """SPDL's value term rewards only tasks the student already does well (the toy's values,
    the competence, are 0 on every unlearned cell, the learnable frontier included), so it
    moves on only where its Gaussian still reaches the frontier: from the origin with a
    standard deviation kept at a cell's width it follows the competence outward; from a random
    start it sees no value anywhere and drifts to the target, like random but narrower
    (figures: ``results/perf/2026-12-04-adr-spdl-toy.md``)."""
    random = [
        run_toy("random", episodes=TOY_EPISODES, seed=s).mastered[TOY_EPISODES] for s in range(3)
    ]
    origin = run_toy("spdl", episodes=TOY_EPISODES, seed=0, **EXPERT_START)
    anywhere = run_toy("spdl", episodes=TOY_EPISODES, seed=0, std_lower_bound=0.1)
    assert origin.mastered[TOY_EPISODES] >= 3 * max(np.mean(random), 1.0)
    assert anywhere.mastered[TOY_EPISODES] <= np.mean(random)
