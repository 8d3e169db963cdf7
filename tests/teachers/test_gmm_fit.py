"""Mixture selection and sampling used by ALP-GMM and Covar-GMM."""

import warnings

import numpy as np
import pytest

from aclbench.teachers.gmm_fit import CRITERIA, Mixture, MixtureSelector, _n_parameters


def three_clusters(rng, n=90):
    centres = np.array([[0.1, 0.1, 0.0], [0.9, 0.2, 0.5], [0.5, 0.9, 1.0]])
    return np.concatenate([c + 0.02 * rng.standard_normal((n // 3, 3)) for c in centres])


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("criterion", sorted(CRITERIA))
def test_selector_covers_three_well_separated_clusters(criterion, warm_start):
    rng = np.random.default_rng(0)
    mixture = MixtureSelector((2, 6), criterion, warm_start).fit(three_clusters(rng), seed=0)
    assert mixture is not None
    # AIC may split a cluster in several Gaussians; each cluster still holds a third of the
    # weight, and BIC, which penalizes parameters more, finds exactly three.
    nearest_cluster = np.rint(mixture.means[:, 2] * 2).astype(int)  # third coordinate 0, .5, 1
    weights = np.bincount(nearest_cluster, weights=mixture.weights, minlength=3)
    np.testing.assert_allclose(weights, [1 / 3] * 3, atol=0.01)
    if criterion == "bic":
        assert len(mixture.weights) == 3


def test_parameter_count_by_hand():
    # 2 Gaussians in 3-D: 2 x (3 means + 6 covariances) + 1 free weight
    assert _n_parameters(2, 3) == 19


def test_aicc_is_infinite_when_parameters_outnumber_points():
    rng = np.random.default_rng(0)
    data = rng.random((20, 3))  # k = 2 needs 19 parameters: n - p - 1 = 0
    mixture = MixtureSelector((2, 2), "aicc", False).fit(data, seed=0)
    assert mixture is None


def test_degenerate_windows_give_no_mixture_instead_of_an_error():
    selector = MixtureSelector((2, 10), "aic", True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no scikit-learn warning leaks out either
        assert selector.fit(np.ones((250, 3)), seed=0) is None  # a single distinct point
        huge = np.column_stack([np.linspace(0, 1, 250), np.tile([1e308, -1e308], 125)])
        assert selector.fit(huge, seed=0) is None  # overflowing covariances


def test_fewer_distinct_points_than_k_max_fits_the_smaller_ks():
    data = np.repeat(np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), 20, axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mixture = MixtureSelector((2, 10), "aic", False).fit(data, seed=0)
    assert mixture is not None and len(mixture.weights) <= 3


def test_marginal_sample_has_the_gaussians_task_moments():
    means = np.array([[0.2, 0.7, 5.0], [0.8, 0.1, 0.0]])
    cov = np.array([[0.01, 0.004, 0.3], [0.004, 0.02, 0.0], [0.3, 0.0, 50.0]])
    mixture = Mixture(means, np.stack([cov, np.eye(3)]), np.array([0.5, 0.5]))
    rng = np.random.default_rng(0)
    draws = np.array([mixture.sample(0, 2, rng) for _ in range(20000)])
    np.testing.assert_allclose(draws.mean(axis=0), [0.2, 0.7], atol=0.005)
    np.testing.assert_allclose(np.cov(draws.T), cov[:2, :2], atol=0.001)


def test_local_k_search_fits_fewer_mixtures_and_keeps_the_first_refits_best():
    """The first refit tries every k, as ``"all"`` does; later ones only neighbours of the last
    kept k, so they fit fewer mixtures."""
    rng = np.random.default_rng(0)
    data = three_clusters(rng)
    full, local = (
        MixtureSelector((2, 8), "aic", False),
        MixtureSelector((2, 8), "aic", False, "local"),
    )
    first_full, first_local = full.fit(data, seed=0), local.fit(data, seed=0)
    np.testing.assert_allclose(first_local.means, first_full.means)
    fitted = []
    original = local._fit_one
    local._fit_one = lambda k, d, s: fitted.append(k) or original(k, d, s)
    local.fit(three_clusters(np.random.default_rng(1)), seed=0)
    assert 1 <= len(set(fitted)) < 7
    assert all(abs(k - len(first_local.weights)) <= len(set(fitted)) for k in fitted)
