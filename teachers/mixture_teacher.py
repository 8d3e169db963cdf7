"""The part ALP-GMM and Covar-GMM share: a Gaussian mixture refitted on a schedule, sampled in
proportion to each Gaussian's learning progress.

Portelas, Colas, Hofmann and Oudeyer (CoRL 2019) run Covar-GMM (Moulin-Frier et al. 2014) with
ALP-GMM's fit schedule, so the two differ only in what the mixture is fitted on and in how a
Gaussian's learning progress is read from it: the ALP coordinate of its mean (ALP-GMM), its
time-return covariance (Covar-GMM). A subclass builds the fitted rows in its ``_update`` and
implements one hook, :meth:`MixtureTeacher._learning_progress`; this class owns the schedule,
the sampling and the report.

Expert knowledge (TeachMyAgent's ``"high"`` level, :mod:`aclbench.expert_knowledge`): given an
initial distribution of easy tasks, the bootstrap episodes before the first fit are drawn from
it instead of uniformly, as TeachMyAgent's ALP-GMM and Covar-GMM do; nothing else changes, and
no level below ``"high"`` changes anything.
"""

from __future__ import annotations

from abc import abstractmethod
from collections import deque
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Teacher
from aclbench.teachers.gmm_fit import (
    Mixture,
    MixtureSelector,
    gaussians_in_task_units,
    resolve_fit_schedule,
)
from aclbench.teachers.lp_common import ReturnScaler, proportional_choice
from aclbench.teachers.params import check_choice

K_SEARCHES = ("all", "local")

PRESETS: dict[str, dict[str, Any]] = {
    "paper": {"fit_rate": 250, "random_task_ratio": 0.2, "k_range": (2, 10), "warm_start": False},
    "teachmyagent": {
        "fit_rate": 150,
        "random_task_ratio": 0.05,
        "k_range": (2, 9),
        "warm_start": False,
    },
}
"""Fit schedules of both teachers, as the authors' code sets them: Portelas et al.'s
(teachDeepRL), and TeachMyAgent's (Romac et al., ICML 2021). Both refit every k from k-means
(scikit-learn's ``warm_start`` off)."""


class MixtureTeacher(Teacher):
    """A teacher that samples from a mixture refitted every ``fit_rate`` episodes.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (``0`` is valid).
        preset: a key of :attr:`presets`; its values fill the parameters left ``None``.
        fit_rate: episodes between two mixture fits; also the size of the fitted window.
        random_task_ratio: share of uniform tasks once the mixture exists.
        k_range: ``(k_min, k_max)``, numbers of Gaussians tried at each fit, both included.
        n_bootstrap: uniform episodes before the first fit (default: ``fit_rate``).
        criterion: ``"aic"`` (paper), ``"bic"`` or ``"aicc"``.
        return_bounds: ``(low, high)`` env return bounds used to scale returns to [0, 1]
            (the paper uses ``(-150, 350)`` on Stump Tracks); ``None`` keeps raw returns.
        warm_start: start each k's EM from that k's previous mixture instead of from k-means
            (an option of the authors' code, off there).
        k_search: ``"all"`` or ``"local"`` (see :class:`~teachers.gmm_fit.MixtureSelector`).
        expert_knowledge: given by the harness; at ``"high"``, its initial distribution of easy
            tasks is what the bootstrap episodes are drawn from.

    A subclass takes these through ``**kwargs``, appends one row a finished episode to
    :attr:`window`, calls :meth:`_fit` when :meth:`_fit_due` says so, and implements
    :meth:`_learning_progress`.

    Attributes:
        window: the rows of the last ``fit_rate`` episodes, in the unit cube of the task space.
        mixture: the last fitted mixture; ``None`` before the first fit or when none could be
            fitted (the teacher then samples uniformly).
        fitted_at: episode of the last fit, ``None`` before it.
    """

    lp_key: ClassVar[str]
    """Name of the learning progress of each Gaussian in :meth:`inner_state`."""
    presets: ClassVar[dict[str, dict[str, Any]]] = PRESETS
    """Named values of ``fit_rate``, ``random_task_ratio``, ``k_range`` and ``warm_start``."""
    expert_knowledge_used: ClassVar[str] = "high"

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        preset: str = "paper",
        fit_rate: int | None = None,
        random_task_ratio: float | None = None,
        k_range: Sequence[int] | None = None,
        n_bootstrap: int | None = None,
        criterion: str = "aic",
        return_bounds: Sequence[float] | None = None,
        warm_start: bool | None = None,
        k_search: str = "all",
        expert_knowledge: ExpertKnowledge | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        schedule = resolve_fit_schedule(
            self,
            self.presets,
            preset,
            fit_rate=fit_rate,
            random_task_ratio=random_task_ratio,
            k_range=k_range,
            n_bootstrap=n_bootstrap,
            criterion=criterion,
            warm_start=warm_start,
        )
        self.preset = preset
        self.fit_rate, self.random_task_ratio = schedule.fit_rate, schedule.random_task_ratio
        self.k_range, self.n_bootstrap = schedule.k_range, schedule.n_bootstrap
        self.criterion = schedule.criterion
        self.scale_return = ReturnScaler(self, return_bounds)
        self.warm_start = schedule.warm_start
        self.window: deque[np.ndarray] = deque(maxlen=self.fit_rate)
        self.k_search = check_choice(self, "k_search", k_search, K_SEARCHES)
        self.selector = MixtureSelector(
            self.k_range, self.criterion, self.warm_start, self.k_search
        )
        self.mixture: Mixture | None = None
        self.fitted_at: int | None = None
        self.initial: InitialGaussian | None = (
            expert_knowledge.initial if expert_knowledge else None
        )

    def learning_progress(self) -> NDArray[np.float64]:
        """Per Gaussian of :attr:`mixture` (``k`` values), what it is chosen in proportion to;
        empty before the first fit."""
        if self.mixture is None:
            return np.zeros(0)
        return self._learning_progress(self.mixture)

    @abstractmethod
    def _learning_progress(self, mixture: Mixture) -> NDArray[np.float64]:
        """The learning progress of each of ``mixture``'s ``k`` Gaussians (negatives count 0)."""

    # --- sampling ----------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        space = self.task_space
        if self.mixture is None and self.initial is not None and self.fitted_at is None:
            return self.initial.sample(space, self.rng, 1)[0]  # bootstrap on easy tasks
        if self.mixture is None or self.rng.random() < self.random_task_ratio:
            return space.sample(self.rng)
        index = proportional_choice(self._learning_progress(self.mixture), self.rng)
        unit = self.mixture.sample(index, len(space), self.rng)
        return space.clip(space.from_unit(unit))

    # --- update ------------------------------------------------------------------------------
    def _fit_due(self) -> bool:
        """Whether the episode being learned from ends the bootstrap or a fit period; call it
        from ``_update``, before the base class counts that episode."""
        played = self.episodes + 1
        return played >= self.n_bootstrap and (played - self.n_bootstrap) % self.fit_rate == 0

    def _fit(self, data: NDArray[np.float64]) -> None:
        """Refit :attr:`mixture` on ``data`` (``n_points`` x ``n_columns``, the task's first)."""
        self.mixture = self.selector.fit(data, int(self.rng.integers(2**31 - 1)))
        self.fitted_at = self.episodes + 1

    # --- report ------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """The current mixture's task marginals, in task units, for the report.

        ``{"fitted_at": episode of the last fit or None, "gaussians": [{"mean": [n_dims],
        "covariance": [n_dims][n_dims], "weight": w, lp_key: learning progress,
        "probability": chance of being chosen when not sampling uniformly}]}``; no Gaussians
        before the first fit.
        """
        return {
            "fitted_at": self.fitted_at,
            "gaussians": gaussians_in_task_units(
                self.task_space, self.mixture, self.learning_progress(), self.lp_key
            ),
        }
