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

Presets (any parameter given explicitly overrides its preset value):

===================  ========  =================  =======  ==========
preset               fit_rate  random_task_ratio  k_range  warm_start
===================  ========  =================  =======  ==========
``"paper"``          250       0.2                2..10    false
``"paper-warm"``     250       0.2                2..10    true
``"teachmyagent"``   150       0.05               2..9     false
===================  ========  =================  =======  ==========

``"paper"`` is the configuration of the authors' code (teachDeepRL), ``"teachmyagent"`` that of
TeachMyAgent's benchmark (Romac et al., ICML 2021). ``"paper"`` is the default: it matches the
authors' algorithm in every dimension. ``"paper-warm"`` is ours: the paper's schedule, with
each refit starting the EM of every k from that k's previous mixture (an option of the authors'
code, off there) instead of from k-means. Warm starts make refits cheaper and do better on the
2-D toy bench, but in 5-D the refits stay stuck near their first mixtures and master a fraction
of what the paper's refits do (``python -m benchmarks.perf.teachers_toy --dims 5 --cells 4``;
figures and commits in ``results/perf/2026-12-04-teachers-presets.md`` and
``results/perf/2026-12-05-alp-gmm-default.md``). It was the default before 2026-12-05; the
stored baselines that ran with it name it in their suite files.

Tasks are handled in the unit cube of the task space (``TaskSpace.to_unit``), for the
nearest-neighbour search as for the mixtures, so no dimension dominates by its units.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.gmm_fit import Mixture
from aclbench.teachers.mixture_teacher import PRESETS, MixtureTeacher
from aclbench.teachers.nearest import NearestNeighbours
from aclbench.teachers.params import check_int
from aclbench.teachers.registry import register_teacher

MIN_HISTORY_FOR_ALP = 5
"""ALP is 0 until more than this many tasks were played (as in the paper's code)."""


@register_teacher("alp-gmm")
class AlpGmmTeacher(MixtureTeacher):
    """ALP-GMM (Portelas et al. 2019).

    Args:
        preset: ``"paper"``, ``"paper-warm"`` or ``"teachmyagent"`` (see the module docstring).
        nn_buffer_size: insertion buffer of the nearest-neighbour KD-tree.
        kwargs: the mixture's parameters, :class:`~teachers.mixture_teacher.MixtureTeacher`.
    """

    lp_key = "alp"
    presets: ClassVar[dict[str, dict[str, Any]]] = {
        **PRESETS,
        "paper-warm": {**PRESETS["paper"], "warm_start": True},
    }

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        preset: str = "paper",
        nn_buffer_size: int = 500,
        **kwargs: Any,
    ) -> None:
        super().__init__(task_space, preset=preset, **kwargs)
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
