"""``sec``: Self-Evolving Curriculum (Chen et al. 2025, "Self-Evolving Curriculum for LLM
Reasoning").

A non-stationary bandit whose arms are task categories (here: the arms of the task space). The
reward of an arm is the mean absolute advantage of the episodes just played from it, a proxy for
how much the policy-gradient update learns from them: it is largest where the student succeeds
about half of the time. Arm values follow TD(0), ``Q(a) <- alpha * r + (1 - alpha) * Q(a)``,
and arms are drawn from the Boltzmann distribution ``softmax(Q / temperature)``.

Where the advantages come from (``advantage``):

- ``"gae"``: the student's own advantages, as in the paper. The teacher asks for on-policy
  rollouts (it declares ``rollouts``); after each one, an arm's reward is the mean ``|A_t|``
  over the steps played on its tasks in that rollout (the rollout is the paper's batch), and
  every arm played in it gets one TD(0) update. Until the first rollout arrives (or with a
  student that sends none), it falls back to ``"return"``.
- ``"return"`` (default; works with any student, off-policy ones included): one episode return
  at a time, the advantage of an episode approximated by ``|return - baseline|`` with the arm's
  baseline the mean return of its previous ``window`` episodes (the first episode of an arm
  gives no reward); each episode is its own batch.

Defaults and where they come from (ALGORITHMS.md gives none):

- ``alpha`` 0.5: the authors'. Their released code reproduces the paper's Countdown, MATH and
  two-dimensional (SEC-2D) runs with a TD(0) rate of 0.5.
- ``temperature`` 0.02: ours. The authors' runs use 1.0 (Countdown), 0.4 (MATH) and 0.2
  (SEC-2D), for GRPO advantages, normalized within each group of answers to a problem: with
  0/1 rewards and a fraction ``p`` of correct answers, the mean ``|A|`` is about
  ``2 sqrt(p (1 - p))``, up to 1. Ours are in return units, where the same 0/1 returns give a
  mean ``|return - p|`` of ``2 p (1 - p)``, at most 0.5, and the simulated task-graph student's
  are an order of magnitude smaller still. There the paper's temperatures do no better than
  ``random``, and 0.02 masters the task chain soonest (``python -m
  benchmarks.perf.task_set_teachers``; figures in
  ``results/perf/2026-12-04-teachers-docstring-figures.md``). Scale it with your returns or
  advantages.
- ``window`` 10: ours (the ``"return"`` estimate is ours).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aclbench.task_space import TaskSpace
from aclbench.teachers.arms import (
    RETURN_LIMIT,
    ArmTeacher,
    BinsSpec,
    boltzmann_probabilities,
    draw,
)
from aclbench.teachers.base import Capabilities, Rollout
from aclbench.teachers.params import check_choice, check_fraction, check_int, check_positive
from aclbench.teachers.registry import register_teacher
from aclbench.teachers.return_windows import ReturnWindows

ADVANTAGES = ("return", "gae")


@register_teacher("sec")
class SECTeacher(ArmTeacher):
    """Boltzmann bandit over arms valued by TD(0) on the absolute advantage of their episodes.

    Args:
        alpha: TD(0) step size.
        temperature: Boltzmann temperature, in the units of the advantages.
        window: episodes in an arm's baseline (``advantage="return"``).
        advantage: ``"return"`` or ``"gae"`` (see the module docstring).
        bins: how a space other than one discrete dimension is cut into arms.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        alpha: float = 0.5,
        temperature: float = 0.02,
        window: int = 10,
        advantage: str = "return",
        bins: BinsSpec = None,
    ) -> None:
        super().__init__(task_space, seed=seed, bins=bins)
        self.alpha = check_fraction(self, "alpha", alpha)
        self.temperature = check_positive(self, "temperature", temperature)
        self.advantage = check_choice(self, "advantage", advantage, ADVANTAGES)
        # per instance: only the "gae" teacher asks the student for rollouts
        self.capabilities = Capabilities(rollouts=advantage == "gae")
        self.scored_by_rollouts = False
        self.values = np.zeros(self.n_arms)
        self.windows = ReturnWindows(self.n_arms, check_int(self, "window", window, 1))

    # --- sampling ----------------------------------------------------------------------------
    def _choose_arm(self) -> int:
        return draw(boltzmann_probabilities(self.values, self.temperature), self.rng)

    # --- update ------------------------------------------------------------------------------
    def _learn(self, arm: int, reward: float) -> None:
        """TD(0) step of ``arm``'s value towards ``reward``."""
        self.values[arm] = self.alpha * reward + (1 - self.alpha) * self.values[arm]

    def _update_arm(self, arm: int, episode_return: float) -> None:
        if self.scored_by_rollouts:
            return
        if self.windows.counts[arm] > 0:
            self._learn(arm, abs(episode_return - self.windows.arm_mean(arm)))
        self.windows.push(arm, self.episodes, episode_return)

    def _on_rollout_end(self, rollout: Rollout) -> None:
        if not self.capabilities.rollouts:
            return
        self.scored_by_rollouts = True
        for arm, reward in self.rollout_rewards(rollout).items():
            self._learn(arm, reward)

    def rollout_rewards(self, rollout: Rollout) -> dict[int, float]:
        """Per arm played in ``rollout``, the mean absolute advantage over its steps."""
        n_dims = rollout.tasks.shape[-1]
        tasks, inverse = np.unique(rollout.tasks.reshape(-1, n_dims), axis=0, return_inverse=True)
        arm_of_step = np.array([self.arms.arm_of(task) for task in tasks])[inverse.reshape(-1)]
        magnitudes = np.minimum(np.abs(rollout.advantages.reshape(-1)), RETURN_LIMIT)
        totals = np.bincount(arm_of_step, weights=magnitudes, minlength=self.n_arms)
        steps = np.bincount(arm_of_step, minlength=self.n_arms)
        return {int(a): float(totals[a] / steps[a]) for a in np.flatnonzero(steps)}

    def inner_state(self) -> dict[str, Any]:
        return {"values": self.values.tolist(), "advantage": self.advantage}
