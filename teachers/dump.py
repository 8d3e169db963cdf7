"""``dump``: distribution-level curriculum by UCB on the magnitude of advantages.

DUMP: Wang et al. (2025), "DUMP: Automated Distribution-Level Curriculum Learning for RL-based
LLM Post-training". The arms are task distributions (here: the arms of the task space, one per
task of a task set, or bins of any other space, :mod:`teachers.arms`). The mean absolute
advantage of an arm's recent samples measures how much the policy still has to learn from it:
near 0 when it is mastered (nothing to correct) and when it is out of reach (nothing to
reinforce). Each arm keeps a window of its last ``window`` absolute advantages, and

    score_j = mean(window_j) + sqrt(2 ln(N + 1) / (n_j + 1)),

with ``n_j`` the samples recorded for arm ``j`` and ``N`` those of all arms (the UCB1 bonus, so
that rarely played arms are tried); the next arm is drawn from ``softmax(score / temperature)``.
An arm with no sample yet has a window mean of 0 and the largest bonus.

A sample is one episode, as a sample is one answer in the paper, and its absolute advantage is
the mean ``|A_t|`` over its steps:

- from the student's rollouts, as in the paper: the teacher declares ``rollouts``
  (:class:`~teachers.base.Capabilities`) and cuts each on-policy rollout into episodes
  (:class:`~teachers.plr_scores.EpisodeTracker`, as PLR's L1 value loss);
- from returns, for students that send no rollouts (off-policy students, the simulated
  student, ``check_teacher``), as PLR falls back on returns: ``|return - baseline|`` with the
  arm's baseline the mean return of its previous ``baseline_window`` episodes (the first
  episode of an arm gives no sample). Once a first rollout arrives, returns are ignored.

Defaults: ``window`` 300, ``temperature`` 0.1 and the bonus are the paper's; ``baseline_window``
10 is ours (the return fallback is ours). The paper's advantages are GRPO's, normalized within
each group of answers, so its window means are of order 1; in return units they can be far
smaller or larger, and the temperature scales with them. On the simulated students (returns
only), the paper's defaults beat ``random`` on the toy bench (about 3 to 4 times its mastered
cells, which the tests check) but not on the task-graph chain (3 tasks of 6, as random): there the
|return - baseline| of a progressing task is about 0.1, the UCB bonus is about 0.3 and equalizes
the arms, and a 300-sample window remembers a mastered task's progress for hundreds of episodes.
A window of 30 with temperature 0.01 masters the whole chain. We keep the paper's values, as
they are meant for students that send rollouts. Figures: ``python -m
benchmarks.perf.task_set_teachers`` and ``results/perf/2026-12-04-recent-teachers.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import TaskSpace
from aclbench.teachers.arms import (
    RETURN_LIMIT,
    ArmTeacher,
    BinsSpec,
    boltzmann_probabilities,
    draw,
)
from aclbench.teachers.base import Capabilities, Rollout
from aclbench.teachers.params import check_int, check_positive
from aclbench.teachers.plr_scores import EpisodeTracker
from aclbench.teachers.registry import register_teacher
from aclbench.teachers.return_windows import ReturnWindows


@register_teacher("dump")
class DUMPTeacher(ArmTeacher):
    """UCB over arms scored by the mean absolute advantage of their recent episodes.

    Args:
        window: absolute advantages kept per arm.
        temperature: softmax temperature over UCB scores, in advantage units.
        baseline_window: episodes in an arm's return baseline (students without rollouts).
        bins: how a space other than one discrete dimension is cut into arms.
    """

    capabilities = Capabilities(rollouts=True)

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        window: int = 300,
        temperature: float = 0.1,
        baseline_window: int = 10,
        bins: BinsSpec = None,
    ) -> None:
        super().__init__(task_space, seed=seed, bins=bins)
        self.advantages = ReturnWindows(self.n_arms, check_int(self, "window", window, 1))
        self.temperature = check_positive(self, "temperature", temperature)
        size = check_int(self, "baseline_window", baseline_window, 1)
        self.returns = ReturnWindows(self.n_arms, size)
        self.tracker = EpisodeTracker()
        self.scored_by_rollouts = False

    # --- sampling ----------------------------------------------------------------------------
    def scores(self) -> NDArray[np.float64]:
        """UCB score per arm, ``n_arms``."""
        counts = self.advantages.counts
        means = np.nan_to_num(self.advantages.means(), nan=0.0)
        bonus = np.sqrt(2.0 * np.log(counts.sum() + 1.0) / (counts + 1.0))
        return means + bonus

    def probabilities(self) -> NDArray[np.float64]:
        """``softmax(score / temperature)``, ``n_arms``."""
        return boltzmann_probabilities(self.scores(), self.temperature)

    def _choose_arm(self) -> int:
        return draw(self.probabilities(), self.rng)

    # --- update ------------------------------------------------------------------------------
    def _record(self, arm: int, magnitude: float) -> None:
        self.advantages.push(arm, float(self.advantages.counts[arm]), min(magnitude, RETURN_LIMIT))

    def _update_arm(self, arm: int, episode_return: float) -> None:
        if self.scored_by_rollouts:
            return
        if self.returns.counts[arm] > 0:
            self._record(arm, abs(episode_return - self.returns.arm_mean(arm)))
        self.returns.push(arm, float(self.returns.counts[arm]), episode_return)

    def _on_rollout_end(self, rollout: Rollout) -> None:
        self.scored_by_rollouts = True
        for task, stats in self.tracker.split(rollout):
            self._record(self.arms.arm_of(self.task_space.clip(task)), stats.abs_advantage)

    def inner_state(self) -> dict[str, Any]:
        return {
            "probabilities": self.probabilities().tolist(),
            "scored_by": "rollouts" if self.scored_by_rollouts else "returns",
        }
