"""``again``: AGAIN, curricula learned from a classroom of earlier students (Meta-ACL).

Portelas, Romac, Hofmann and Oudeyer (2020), "Meta Automatic Curriculum Learning"
(arXiv:2011.08463). A new student is first taught by ALP-GMM for a pretest of
``pretest_evaluations`` evaluations. Its test returns at the last one are then matched to those
of the classroom's students at the same evaluation (their ``k`` nearest neighbours, Euclidean,
scikit-learn's ``NearestNeighbors``), and the neighbour with the best final score is the expert.
From then on AGAIN samples from the expert's curriculum, its high-ALP Gaussians
(:mod:`teachers.classroom`), mixed with the Gaussians of the live ALP-GMM, which keeps learning
from every episode: each task is uniform with probability ``random_task_ratio``, else drawn
from one Gaussian of the two sets chosen in proportion to its ALP. Which of the expert's
mixtures is used (``replay``):

- ``"reward"`` (AGAIN-R, the variant the authors' README runs): the first; the next once the
  mean return of the last ``reward_window`` episodes drawn from the expert's Gaussians reaches
  ``tolerance`` x the expert's own mean return on them, until the last;
- ``"time"`` (AGAIN-T): the last one the expert had fitted at the new student's episode;
- ``"pool"`` (AGAIN-P): all the expert's Gaussians at once.

Defaults are the authors' (their code, the meta-acl repository's ``again.py``, and the command
their README gives for AGAIN on the toy env): a pretest of 2 evaluations, ``k = 5``,
Gaussians of ALP > 0.2 kept, 2% uniform tasks after the pretest, a window of 10 returns and a
tolerance of 1. The live
ALP-GMM is :class:`~teachers.alp_gmm.AlpGmmTeacher` with its own defaults (``alp_gmm`` changes
them), the teacher of the classroom, so during the pretest AGAIN proposes exactly the tasks
ALP-GMM would with the same seed. Where ours differs: the pretest keeps ALP-GMM's own share of
uniform tasks (20 % by default; the authors' pretest used 10 %); a classroom's curricula have
one mixture per evaluation of its runs (their log), not one per refit; the expert's target
returns are read from training episodes assigned to the Gaussians they most likely came from;
once the expert's last mixture is reached it is kept (the authors' ``stop_R`` option, which then
re-estimates its ALPs, is not implemented). Without a classroom (``classroom=None``) AGAIN is
ALP-GMM throughout, which is how a first classroom is taught.
"""

from __future__ import annotations

import os
import warnings
from collections import deque
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.neighbors import NearestNeighbors

from aclbench.errors import ConfigError
from aclbench.task_space import Task, TaskSpace, task_key
from aclbench.teachers.alp_gmm import AlpGmmTeacher
from aclbench.teachers.base import Capabilities, Teacher
from aclbench.teachers.classroom import (
    Classroom,
    ClassroomStudent,
    ExpertMixture,
    read_classroom,
)
from aclbench.teachers.gmm_fit import Mixture, gaussians_in_task_units
from aclbench.teachers.lp_common import proportional_choice
from aclbench.teachers.params import (
    check_choice,
    check_fraction,
    check_int,
    check_number,
    check_positive,
    config_error,
    record,
)
from aclbench.teachers.registry import register_teacher, teacher_params

REPLAYS = ("reward", "time", "pool")
PENDING_PROPOSALS = 4096
"""Proposals from the expert's Gaussians remembered until their episode comes back."""


def _pooled(curriculum: tuple[ExpertMixture, ...]) -> ExpertMixture:
    """All the Gaussians of ``curriculum`` as one mixture (AGAIN-P)."""
    return ExpertMixture(
        fitted_at=curriculum[0].fitted_at,
        means=np.concatenate([m.means for m in curriculum]),
        covariances=np.concatenate([m.covariances for m in curriculum]),
        alps=np.concatenate([m.alps for m in curriculum]),
        target_return=float("nan"),
    )


@register_teacher("again")
class AgainTeacher(Teacher):
    """AGAIN (Portelas et al. 2020).

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generators (``0`` is valid).
        classroom: a folder of finished ``alp-gmm`` run folders on this task space and test
            set (:mod:`teachers.classroom`); ``None``: ALP-GMM only.
        pretest_evaluations: evaluations after training starts taught by ALP-GMM alone; the
            expert is chosen at the last one.
        k: classroom students matched to the new one.
        replay: ``"reward"``, ``"time"`` or ``"pool"`` (the module docstring).
        alp_threshold: a classroom Gaussian is kept if its ALP exceeds this.
        reward_window: returns averaged by the ``"reward"`` replay.
        tolerance: share of the expert's return the ``"reward"`` replay waits for.
        random_task_ratio: share of uniform tasks after the pretest.
        alp_gmm: parameters of the live ALP-GMM (:class:`~teachers.alp_gmm.AlpGmmTeacher`).

    Attributes:
        expert: the classroom student whose curriculum is replayed; ``None`` before the
            pretest ends, or when there is no classroom.
        expert_index: the expert mixture in use (``"reward"`` and ``"time"`` replays).
    """

    capabilities = Capabilities(evaluations=True)

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        classroom: str | os.PathLike[str] | None = None,
        pretest_evaluations: int = 2,
        k: int = 5,
        replay: str = "reward",
        alp_threshold: float = 0.2,
        reward_window: int = 10,
        tolerance: float = 1.0,
        random_task_ratio: float = 0.02,
        alp_gmm: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.pretest_evaluations = check_int(self, "pretest_evaluations", pretest_evaluations, 1)
        self.k = check_int(self, "k", k, 1)
        self.replay = check_choice(self, "replay", replay, REPLAYS)
        self.alp_threshold = check_number(self, "alp_threshold", alp_threshold, 0.0)
        self.reward_window = check_int(self, "reward_window", reward_window, 1)
        self.tolerance = check_positive(self, "tolerance", tolerance)
        self.random_task_ratio = check_fraction(self, "random_task_ratio", random_task_ratio)
        if alp_gmm is not None and not isinstance(alp_gmm, Mapping):
            raise config_error(self, f"alp_gmm must be a table of parameters, got {alp_gmm!r}")
        try:
            self.alp_gmm = AlpGmmTeacher(task_space, seed=seed, **dict(alp_gmm or {}))
        except (ConfigError, TypeError) as err:
            raise config_error(self, f"alp_gmm: {err}") from None
        record(self, "alp_gmm", teacher_params(self.alp_gmm, dict(alp_gmm or {})))
        self.classroom: Classroom | None = None
        if classroom is not None and not isinstance(classroom, (str, os.PathLike)):
            raise config_error(
                self, f"classroom must be a folder of alp-gmm runs or None, got {classroom!r}"
            )
        if classroom is None:
            warnings.warn(
                "again: no classroom given, so AGAIN teaches as ALP-GMM throughout",
                stacklevel=2,
            )
        else:
            self.classroom = read_classroom(classroom, task_space, self.alp_threshold)
            bounds = self.alp_gmm.scale_return.bounds
            if self.classroom.return_bounds != bounds:
                raise ConfigError(
                    f"again: the classroom's ALP-GMM scaled returns with return_bounds "
                    f"{self.classroom.return_bounds}, the live one with {bounds}: give "
                    f"alp_gmm = {{return_bounds = ...}} the classroom's"
                )
        self.evaluations = 0
        self.expert: ClassroomStudent | None = None
        self.expert_index = 0
        self.expert_gaussians: Mixture | None = None
        """The Gaussians of the expert mixture in use, ready to sample."""
        self.expert_returns: deque[float] = deque(maxlen=self.reward_window)
        self.expert_proposals: deque[bytes] = deque(maxlen=PENDING_PROPOSALS)

    # --- matching ----------------------------------------------------------------------------
    def _on_evaluation(self, test_tasks: NDArray[np.float64], returns: NDArray[np.float64]) -> None:
        if self.episodes == 0:
            return  # the evaluation before training tells nothing of the student
        self.evaluations += 1
        if self.evaluations == self.pretest_evaluations and self.classroom is not None:
            expert = self._match(test_tasks, returns)
            self.classroom = None  # all that is used from now on is the expert
            if expert is not None and self.replay == "pool":
                expert = replace(expert, curriculum=(_pooled(expert.curriculum),))
            self.expert = expert
            if expert is not None:
                self._use(0)

    def _match(
        self, test_tasks: NDArray[np.float64], returns: NDArray[np.float64]
    ) -> ClassroomStudent | None:
        """The best final score among the ``k`` classroom students nearest to ``returns``."""
        assert self.classroom is not None
        expected = self.classroom.test_tasks
        if test_tasks.shape != expected.shape or not np.allclose(test_tasks, expected):
            raise ConfigError(
                f"again: this run's test set differs from the classroom's "
                f"({self.classroom.folder}); a classroom holds runs of the same env and test set"
            )
        index = self.pretest_evaluations - 1
        students = [
            s for s in self.classroom.students if len(s.test_returns) > index and s.curriculum
        ]
        if not students:
            return None
        vectors = np.array([s.test_returns[index] for s in students])
        search = NearestNeighbors(n_neighbors=min(self.k, len(students))).fit(vectors)
        neighbours = search.kneighbors(returns[None, :], return_distance=False)[0]
        return max((students[i] for i in neighbours), key=lambda s: s.final_score)

    # --- sampling ----------------------------------------------------------------------------
    def _use(self, index: int) -> None:
        """Sample from the expert's mixture ``index`` from now on."""
        assert self.expert is not None
        mixture = self.expert.curriculum[index]
        self.expert_index = index
        weights = np.full(len(mixture.alps), 1.0 / len(mixture.alps))  # reported, not used
        self.expert_gaussians = Mixture(mixture.means, mixture.covariances, weights)
        self.expert_returns.clear()

    def _sample_task(self) -> Task:
        if self.expert is None:
            return self.alp_gmm.sample_task()
        space = self.task_space
        if self.rng.random() < self.random_task_ratio:
            return space.sample(self.rng)
        if self.replay == "time":
            fitted = [m.fitted_at for m in self.expert.curriculum]
            index = max(0, int(np.searchsorted(fitted, self.episodes, "right")) - 1)
            if index != self.expert_index:
                self._use(index)
        expert = self.expert.curriculum[self.expert_index]
        assert self.expert_gaussians is not None
        alps = np.concatenate([expert.alps, self.alp_gmm.learning_progress()])
        index = proportional_choice(alps, self.rng)
        if index < len(expert.alps):
            unit = self.expert_gaussians.sample(index, len(space), self.rng)
        else:
            live = self.alp_gmm.mixture
            assert live is not None
            unit = live.sample(index - len(expert.alps), len(space), self.rng)
        task = space.validate(space.clip(space.from_unit(unit)))
        if index < len(expert.alps) and self.replay == "reward":
            self.expert_proposals.append(task_key(task))
        return task

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        self.alp_gmm.update(task, episode_return, success=success, info=info)
        key = task_key(task)
        if self.expert is None or self.replay != "reward" or key not in self.expert_proposals:
            return
        self.expert_proposals.remove(key)
        self.expert_returns.append(episode_return)
        target = self.tolerance * self.expert.curriculum[self.expert_index].target_return
        last = len(self.expert.curriculum) - 1
        full = len(self.expert_returns) == self.reward_window
        if full and np.mean(self.expert_returns) >= target and self.expert_index < last:
            self._use(self.expert_index + 1)

    # --- report ------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """``{"phase": "pretest" | "replay" | "alp-gmm", "expert": its run folder or None,
        "expert_index", "expert_mixtures": the length of its curriculum, "expert_gaussians":
        those in use, as ALP-GMM reports its own (in task units, ``alp``), "alp_gmm": the live
        ALP-GMM's own report}``."""
        if self.expert is not None:
            phase = "replay"
        elif self.evaluations < self.pretest_evaluations and self.classroom is not None:
            phase = "pretest"
        else:
            phase = "alp-gmm"
        gaussians: list[dict[str, Any]] = []
        if self.expert is not None:
            alps = self.expert.curriculum[self.expert_index].alps
            gaussians = gaussians_in_task_units(self.task_space, self.expert_gaussians, alps, "alp")
        return {
            "phase": phase,
            "expert": None if self.expert is None else self.expert.name,
            "expert_index": self.expert_index,
            "expert_mixtures": 0 if self.expert is None else len(self.expert.curriculum),
            "expert_gaussians": gaussians,
            "alp_gmm": self.alp_gmm.inner_state(),
        }
