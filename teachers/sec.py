"""``sec``: Self-Evolving Curriculum (Chen et al. 2025, "Self-Evolving Curriculum for LLM
Reasoning").

A non-stationary bandit whose arms are task categories (here: the arms of the task space). The
reward of an arm is the mean absolute advantage of the episodes just played from it, a proxy for
how much the policy-gradient update learns from them: it is largest where the student succeeds
about half of the time. Arm values follow TD(0), ``Q(a) <- alpha * r + (1 - alpha) * Q(a)``,
and arms are drawn from the Boltzmann distribution ``softmax(Q / temperature)``.

A teacher here sees one episode return at a time, not the student's value estimates, so the
advantage of an episode is approximated by ``|return - baseline|`` with the arm's baseline the
mean return of its previous ``window`` episodes (the first episode of an arm gives no reward);
each episode is its own batch. ``temperature`` is in return units: the default 0.02 suits
returns in [0, 1]. The default ``alpha`` 0.5 is our choice (the paper's value was not checked).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aclbench.task_space import TaskSpace
from teachers.arms import (
    ArmTeacher,
    BinsSpec,
    boltzmann_probabilities,
    check_fraction,
    check_positive,
    check_window,
    draw,
)
from teachers.registry import register_teacher
from teachers.return_windows import ReturnWindows


@register_teacher("sec")
class SECTeacher(ArmTeacher):
    """Boltzmann bandit over arms valued by TD(0) on the absolute advantage of their episodes.

    Args:
        alpha: TD(0) step size.
        temperature: Boltzmann temperature, in return units.
        window: episodes in an arm's baseline.
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
        bins: BinsSpec = None,
    ) -> None:
        super().__init__(task_space, seed=seed, bins=bins)
        check_fraction(alpha=alpha)
        check_positive(temperature=temperature)
        check_window(window, minimum=1)
        self.alpha, self.temperature = alpha, temperature
        self.values = np.zeros(self.n_arms)
        self.windows = ReturnWindows(self.n_arms, window)

    def _choose_arm(self) -> int:
        return draw(boltzmann_probabilities(self.values, self.temperature), self.rng)

    def _update_arm(self, arm: int, episode_return: float) -> None:
        if self.windows.counts[arm] > 0:
            advantage = abs(episode_return - self.windows.arm_mean(arm))
            self.values[arm] = self.alpha * advantage + (1 - self.alpha) * self.values[arm]
        self.windows.push(arm, self.episodes, episode_return)

    def inner_state(self) -> dict[str, Any]:
        return {"values": self.values.tolist()}
