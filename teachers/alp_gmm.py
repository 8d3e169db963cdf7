"""``alp-gmm``: Absolute Learning Progress with Gaussian Mixture Models.

Portelas, Colas, Hofmann and Oudeyer (CoRL 2019), "Teacher algorithms for curriculum learning
of Deep RL in continuously parameterized environments".

The absolute learning progress (ALP) of a finished episode is ``|r - r_old|``, where ``r_old``
is the return of the nearest previously played task (0 until more than 5 tasks were played).
Every ``fit_rate`` episodes, Gaussian mixtures with ``k_min .. k_max`` components are fitted on
the last ``fit_rate`` (task, ALP) points and the one with the lowest AIC is kept. A task is then
drawn uniformly with probability ``random_task_ratio``, else from a Gaussian chosen in
proportion to the ALP coordinate of its mean: the teacher keeps proposing where the student's
returns change, and the random share keeps it looking for new such regions.

Presets (shared with Covar-GMM; any parameter given explicitly overrides its preset value):

==================  ========  =================  =======
preset              fit_rate  random_task_ratio  k_range
==================  ========  =================  =======
``"paper"``         250       0.2                2..10
``"teachmyagent"``  150       0.05               2..9
==================  ========  =================  =======

``"teachmyagent"`` is the configuration of TeachMyAgent's benchmark (Romac et al., ICML 2021).
Tasks are handled in the unit cube of the task space (``TaskSpace.to_unit``), for the
nearest-neighbour search as for the mixtures, so no dimension dominates by its units.

One default differs from the paper's code: each refit starts the EM of every k from that k's
previous mixture (``warm_start=True``, an option of the authors' code, off there) instead of
from k-means. Refits are the teacher's main cost, and on the toy bench (2-D, 20,000 episodes,
5 seeds, ``python -m benchmarks.perf.teachers_toy``) this halves the teacher's time per episode
(0.32 vs 0.70 ms, CPU) and masters more cells (46.8 vs 37.2 %). ``warm_start=False``
restores the paper's setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.gmm_fit import Mixture
from aclbench.teachers.mixture_teacher import MixtureTeacher
from aclbench.teachers.nearest import NearestNeighbours
from aclbench.teachers.params import check_int
from aclbench.teachers.registry import register_teacher

MIN_HISTORY_FOR_ALP = 5
"""ALP is 0 until more than this many tasks were played (as in the paper's code)."""


@register_teacher("alp-gmm")
class AlpGmmTeacher(MixtureTeacher):
    """ALP-GMM (Portelas et al. 2019).

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (``0`` is valid).
        preset: ``"paper"`` or ``"teachmyagent"`` (see the module docstring).
        fit_rate: episodes between two mixture fits; also the size of the fitted window.
        random_task_ratio: share of uniform tasks once the mixture exists.
        k_range: ``(k_min, k_max)``, numbers of Gaussians tried at each fit, both included.
        n_bootstrap: uniform episodes before the first fit (default: ``fit_rate``).
        criterion: ``"aic"`` (paper), ``"bic"`` or ``"aicc"``.
        return_bounds: ``(low, high)`` env return bounds used to scale returns to [0, 1]
            (the paper uses ``(-150, 350)`` on Stump Tracks); ``None`` keeps raw returns.
        warm_start: start each k's EM from its previous fit (see the module docstring);
            ``False`` starts every fit from k-means, as the paper's code does.
        nn_buffer_size: insertion buffer of the nearest-neighbour KD-tree.
    """

    lp_key = "alp"

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
        warm_start: bool = True,
        nn_buffer_size: int = 500,
    ) -> None:
        super().__init__(
            task_space,
            seed=seed,
            preset=preset,
            fit_rate=fit_rate,
            random_task_ratio=random_task_ratio,
            k_range=k_range,
            n_bootstrap=n_bootstrap,
            criterion=criterion,
            return_bounds=return_bounds,
            warm_start=warm_start,
        )
        self.history = NearestNeighbours(
            len(task_space), buffer_size=check_int(self, "nn_buffer_size", nn_buffer_size, 1)
        )

    def _learning_progress(self, mixture: Mixture) -> NDArray[np.float64]:
        """The ALP coordinate of each Gaussian's mean: the mean ALP of its tasks."""
        return mixture.means[:, -1]

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        unit = self.task_space.to_unit(task)
        value = self.scale_return(episode_return)
        alp = 0.0
        if len(self.history) > MIN_HISTORY_FOR_ALP:
            alp = abs(value - self.history.nearest_value(unit))
        self.history.add(unit, value)
        self.window.append(np.append(unit, alp))  # (unit task, ALP) rows
        if self._fit_due():
            self._fit(np.array(self.window))
