"""Gaussian mixtures for ALP-GMM and Covar-GMM: fit one per number of Gaussians, keep the best.

Portelas et al. (CoRL 2019) fit scikit-learn ``GaussianMixture`` (full covariances, one EM
initialization) for every k in a range and keep the one with the lowest AIC (BIC and AICc are
alternatives). This module does that robustly: a k with fewer distinct points than Gaussians is
skipped, and a fit that scikit-learn rejects as numerically ill-defined (say, returns of 1e300)
is skipped instead of crashing the run. When no k is left, there is no mixture and the teacher
samples uniformly until the next fit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture
from threadpoolctl import threadpool_limits

from aclbench.task_space import TaskSpace
from aclbench.teachers.lp_common import resolve_preset, unit_to_task_affine
from aclbench.teachers.params import (
    Owner,
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_k_range,
)


def _n_parameters(k: int, n_dims: int) -> int:
    """Free parameters of a full-covariance mixture: means, covariances, weights summing to 1."""
    return k * (n_dims + n_dims * (n_dims + 1) // 2) + k - 1


def _aic(gmm: GaussianMixture, data: NDArray[np.float64]) -> float:
    return float(gmm.aic(data))


def _bic(gmm: GaussianMixture, data: NDArray[np.float64]) -> float:
    return float(gmm.bic(data))


def _aicc(gmm: GaussianMixture, data: NDArray[np.float64]) -> float:
    """AIC with the small-sample correction 2p(p+1)/(n-p-1); infinite when p >= n - 1."""
    n, p = len(data), _n_parameters(gmm.n_components, data.shape[1])
    if n - p - 1 <= 0:
        return math.inf
    return _aic(gmm, data) + 2.0 * p * (p + 1) / (n - p - 1)


CRITERIA: dict[str, Callable[[GaussianMixture, NDArray[np.float64]], float]] = {
    "aic": _aic,
    "bic": _bic,
    "aicc": _aicc,
}
"""Model-selection criteria by name; lower is better."""


@dataclass(frozen=True)
class FitSchedule:
    """When and how a GMM teacher refits: shared by ALP-GMM and Covar-GMM."""

    fit_rate: int
    random_task_ratio: float
    k_range: tuple[int, int]
    n_bootstrap: int
    criterion: str
    warm_start: bool


def resolve_fit_schedule(
    teacher: Owner,
    presets: dict[str, dict[str, Any]],
    preset: str,
    *,
    fit_rate: int | None,
    random_task_ratio: float | None,
    k_range: Any,
    n_bootstrap: int | None,
    criterion: str,
    warm_start: bool | None,
) -> FitSchedule:
    """The preset's values, overridden by the ones given (not ``None``), each checked."""
    params = resolve_preset(
        teacher,
        presets,
        preset,
        {
            "fit_rate": fit_rate,
            "random_task_ratio": random_task_ratio,
            "k_range": k_range,
            "warm_start": warm_start,
        },
    )
    rate = check_int(teacher, "fit_rate", params["fit_rate"], 1)
    return FitSchedule(
        fit_rate=rate,
        random_task_ratio=check_fraction(teacher, "random_task_ratio", params["random_task_ratio"]),
        k_range=check_k_range(teacher, params["k_range"]),
        n_bootstrap=check_int(
            teacher, "n_bootstrap", rate if n_bootstrap is None else n_bootstrap, 1
        ),
        criterion=check_choice(teacher, "criterion", criterion, CRITERIA),
        warm_start=check_bool(teacher, "warm_start", params["warm_start"]),
    )


@dataclass
class Mixture:
    """A fitted mixture, as plain arrays (cheap to copy, pickle and report).

    Attributes:
        means: ``k`` x ``n_dims``.
        covariances: ``k`` x ``n_dims`` x ``n_dims``.
        weights: ``k``.
    """

    means: NDArray[np.float64]
    covariances: NDArray[np.float64]
    weights: NDArray[np.float64]
    _cholesky: dict[int, NDArray[np.floating]] = field(default_factory=dict, repr=False)

    def sample(self, index: int, n_first: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """A draw of Gaussian ``index`` restricted to its first ``n_first`` coordinates.

        The marginal of a Gaussian over some coordinates is the Gaussian of the matching
        sub-mean and sub-covariance, so this equals drawing the whole vector and dropping the
        extra coordinates (ALP, or time and return), as the papers describe.
        """
        if n_first not in self._cholesky:
            cov = self.covariances[:, :n_first, :n_first]
            self._cholesky[n_first] = np.linalg.cholesky(cov + 1e-12 * np.eye(n_first))
        chol = self._cholesky[n_first][index]
        return self.means[index, :n_first] + chol @ rng.standard_normal(n_first)


class MixtureSelector:
    """Fits a mixture for every k in ``k_range`` and keeps the best by ``criterion``.

    Args:
        k_range: ``(k_min, k_max)``, both included.
        criterion: a key of :data:`CRITERIA`.
        warm_start: start each k's EM from its previous fit instead of from k-means (an option
            of the reference code, off there by default; it makes refits cheaper).
        k_search: ``"all"`` fits every k at every refit, as the papers do; ``"local"`` fits
            every k at the first refit only, then starts from the k kept last time and moves to
            a neighbouring k while the criterion improves (a local search of the criterion over
            k: the data of consecutive windows change slowly, and so does the best k).
    """

    def __init__(
        self, k_range: tuple[int, int], criterion: str, warm_start: bool, k_search: str = "all"
    ) -> None:
        self.ks = list(range(k_range[0], k_range[1] + 1))
        self.criterion = criterion
        self.warm_start = warm_start
        self.k_search = k_search
        self._models: dict[int, GaussianMixture] = {}
        self._last_k: int | None = None

    def fit(self, data: NDArray[np.float64], seed: int) -> Mixture | None:
        """The best mixture of ``data`` (``n_points`` x ``n_dims``), or ``None`` if none fits."""
        n_distinct = len(np.unique(data, axis=0))
        ks = [k for k in self.ks if k <= n_distinct]
        tried: dict[int, tuple[float, GaussianMixture | None]] = {}

        def value(k: int) -> float:
            if k not in tried:
                candidate = self._fit_one(k, data, seed)
                with np.errstate(all="ignore"):
                    v = math.inf if candidate is None else CRITERIA[self.criterion](candidate, data)
                tried[k] = (v if math.isfinite(v) else math.inf, candidate)
            return tried[k][0]

        # The matrices are tiny (a few dims): BLAS threads only add overhead, several times
        # the work itself, so EM runs single-threaded.
        with threadpool_limits(limits=1):
            if self.k_search == "local" and self._last_k in ks:
                k = self._last_k
                while True:
                    step = min((j for j in (k - 1, k, k + 1) if j in ks), key=value)
                    if step == k:
                        break
                    k = step
            else:
                for k in ks:
                    value(k)
        finite = [k for k in tried if math.isfinite(tried[k][0])]
        if not finite:
            return None
        self._last_k = min(finite, key=lambda j: tried[j][0])
        gmm = tried[self._last_k][1]
        assert gmm is not None
        return Mixture(
            means=np.array(gmm.means_),
            covariances=np.array(gmm.covariances_),
            weights=np.array(gmm.weights_),
        )

    def _fit_one(self, k: int, data: NDArray[np.float64], seed: int) -> GaussianMixture | None:
        gmm = self._model(k, seed)
        try:
            # A fit stopped at max_iter is still a usable mixture, and overflows end in the
            # ValueError below: neither needs a warning.
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", ConvergenceWarning)
                return gmm.fit(data)
        except (ValueError, FloatingPointError, np.linalg.LinAlgError):
            self._models.pop(k, None)  # ill-defined covariances: skip this k
            return None

    def _model(self, k: int, seed: int) -> GaussianMixture:
        if self.warm_start and k in self._models:
            return self._models[k]
        gmm = GaussianMixture(
            n_components=k,
            covariance_type="full",
            n_init=1,
            random_state=seed,
            warm_start=self.warm_start,
        )
        if self.warm_start:
            self._models[k] = gmm
        return gmm


def gaussians_in_task_units(
    space: TaskSpace, mixture: Mixture | None, interest: np.ndarray | None, key: str
) -> list[dict[str, Any]]:
    """The task-dimension marginals of ``mixture``'s Gaussians in task units, with ``interest``
    (what each Gaussian is chosen in proportion to) under ``key`` and as a probability."""
    if mixture is None or interest is None:
        return []
    n = len(space)
    offset, span = unit_to_task_affine(space)
    positive = np.maximum(interest, 0.0)
    total = positive.sum()
    probability = positive / total if total > 0 else np.full(len(positive), 1 / len(positive))
    return [
        {
            "mean": (offset + span * mean[:n]).tolist(),
            "covariance": (cov[:n, :n] * np.outer(span, span)).tolist(),
            "weight": float(weight),
            key: float(value),
            "probability": float(p),
        }
        for mean, cov, weight, value, p in zip(
            mixture.means, mixture.covariances, mixture.weights, interest, probability, strict=True
        )
    ]
