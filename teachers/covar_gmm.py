"""``covar-gmm``: learning progress as the time-return covariance of Gaussians.

Moulin-Frier, Nguyen and Oudeyer (2014), "Self-organization of early vocal development in
infants and machines: the role of intrinsic motivation", Frontiers in Psychology 4:1006; as
adapted to Deep RL teachers by Portelas et al. (CoRL 2019), whose defaults are used here.

Every ``fit_rate`` episodes, Gaussian mixtures with ``k_min .. k_max`` components are fitted on
the last ``fit_rate`` (task, time, return) points, time being the episode's position in that
window scaled to [0, 1), and the one with the lowest AIC is kept. Within one Gaussian, a
positive covariance between time and return means the returns of those tasks are rising: that
is its learning progress. A task is drawn uniformly with probability ``random_task_ratio``, else
from a Gaussian chosen in proportion to the positive part of that covariance.

Presets: ``"paper"`` (the authors' code, the default) and ``"teachmyagent"``, the values of
ALP-GMM's presets of the same names (tabled in :mod:`teachers.alp_gmm`); any parameter given
explicitly overrides its preset value. On the toy bench the two master as many cells and
``"paper"`` costs less teacher time; warm-started EM (``warm_start=True``), which helps ALP-GMM,
makes Covar-GMM worse, so no preset turns it on (``python -m benchmarks.perf.teachers_toy``;
figures in ``results/perf/2026-12-04-teachers-presets.md``).

The refits are the teacher's cost, nearly all of it scikit-learn's EM. By default
(``k_search="local"``) only the first refit tries every k; later ones start from the k kept
last time and move to a neighbour while the AIC improves, which fits about a third as many
mixtures for as many mastered cells on the toy bench; ``k_search="all"`` is the papers' search
(``python -m benchmarks.perf.teachers_toy --teachers covar-gmm "covar-gmm[k_search='all']"``;
figures in ``results/perf/2026-12-05-covar-gmm-speed.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.gmm_fit import Mixture
from aclbench.teachers.mixture_teacher import MixtureTeacher
from aclbench.teachers.params import check_bool
from aclbench.teachers.registry import register_teacher


@register_teacher("covar-gmm")
class CovarGmmTeacher(MixtureTeacher):
    """Covar-GMM (Moulin-Frier et al. 2014).

    Args:
        absolute_lp: use ``|covariance|`` instead of its positive part (a variant of the
            reference code: it also follows regions whose returns fall, i.e. forgetting).
        k_search: ``"local"`` here (the mixture's default is the papers' ``"all"``).
        kwargs: the mixture's parameters, :class:`~teachers.mixture_teacher.MixtureTeacher`.
    """

    lp_key = "lp"

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        absolute_lp: bool = False,
        k_search: str = "local",
        **kwargs: Any,
    ) -> None:
        super().__init__(task_space, k_search=k_search, **kwargs)
        self.absolute_lp = check_bool(self, "absolute_lp", absolute_lp)

    def _learning_progress(self, mixture: Mixture) -> NDArray[np.float64]:
        """The positive part (or absolute value) of each Gaussian's time-return covariance."""
        covariance = mixture.covariances[:, -2, -1]
        return np.abs(covariance) if self.absolute_lp else np.maximum(covariance, 0.0)

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        self.window.append(  # (unit task, return) rows
            np.append(self.task_space.to_unit(task), self.scale_return(episode_return))
        )
        if self._fit_due():
            rows = np.array(self.window)
            times = np.arange(len(rows)) / self.fit_rate  # position in the window, in [0, 1)
            self._fit(np.column_stack([rows[:, :-1], times, rows[:, -1]]))
