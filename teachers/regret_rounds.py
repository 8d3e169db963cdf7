"""Rounds of PAIRED's regret: the bookkeeping shared by the teachers that generate levels for
a protagonist and an antagonist and learn from the regret between them.

Dennis et al. (NeurIPS 2020), "Emergent Complexity and Zero-shot Transfer via Unsupervised
Environment Design", define the regret of a level as::

    regret = max(max over the antagonist's episodes of its return
                 - mean over the protagonist's episodes of its return, 0)

PAIRED (:mod:`teachers.paired`) and CLUTR (:mod:`teachers.clutr`) both generate a round of
levels, hear both students' returns on them (``update(..., info={"agent": ...})``, run by
:mod:`students.paired`) and, at :meth:`RegretRoundsTeacher.end_round`, learn from each level's
regret; they differ in how a level is generated (``choice``: PAIRED's construction, CLUTR's
latent code) and trained on (``_train``).
"""

from __future__ import annotations

import sys
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace, task_key
from aclbench.teachers.base import Capabilities, Teacher
from aclbench.teachers.params import check_int, check_number, check_positive

AGENTS = ("protagonist", "antagonist")
MAX_PENDING = 4096
"""Most levels awaiting :meth:`RegretRoundsTeacher.end_round`; older ones are dropped (a student
that never ends rounds must not grow the teacher without bound)."""


def regret(protagonist_returns: Sequence[float], antagonist_returns: Sequence[float]) -> float:
    """PAIRED's regret of one level: the antagonist's best return minus the protagonist's mean
    return, clipped at 0; NaN if either student has no return on the level. Finite for any
    finite returns (capped at the largest float), so that no played level is taken for one
    without a regret."""
    if len(protagonist_returns) == 0 or len(antagonist_returns) == 0:
        return float("nan")
    protagonist = np.asarray(protagonist_returns, dtype=np.float64)
    mean = float(np.sum(protagonist / protagonist.size))  # a sum could overflow, this cannot
    gap = float(np.max(antagonist_returns)) - mean
    return min(max(gap, 0.0), sys.float_info.max)


def check_ppo_params(
    teacher: Teacher,
    learning_rate: float,
    clip_range: float,
    entropy_coef: float,
    epochs: int,
    hidden: int,
) -> dict[str, Any]:
    """The PPO settings of PAIRED's and CLUTR's policies, checked (a bad one raises
    :class:`ConfigError` naming it), as keyword arguments of the policy."""
    return {
        "learning_rate": check_positive(teacher, "learning_rate", learning_rate),
        "clip_range": check_positive(teacher, "clip_range", clip_range),
        "entropy_coef": check_number(teacher, "entropy_coef", entropy_coef, 0.0),
        "epochs": check_int(teacher, "epochs", epochs, 1),
        "hidden": check_int(teacher, "hidden", hidden, 1),
    }


@dataclass
class _Level:
    """A level generated this round: the teacher's choices that gave it, and both students'
    returns on it."""

    choices: list[NDArray[Any]]
    returns: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in AGENTS})


class RegretRoundsTeacher(Teacher):
    """A teacher that generates levels in rounds and learns from their regret.

    Subclasses generate a level in ``_sample_task`` and call :meth:`_generated` with it and the
    choice that made it; :meth:`_train` learns from every choice of the round's levels that
    have a regret. Feedback without ``agent`` counts as the protagonist's, so with a student
    that plays no rounds the teacher still proposes levels, and never learns.
    """

    capabilities = Capabilities(adversarial=True)

    def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
        super().__init__(task_space, seed=seed)
        self.pending: dict[bytes, _Level] = {}
        self.rounds = self.levels_built = 0
        self.last_regrets: list[float] = []
        self.last_stats: dict[str, Any] = {}

    def _generated(self, task: Task, choice: NDArray[Any]) -> None:
        """Note a level generated this round and the choice that made it."""
        key = task_key(task)
        if key not in self.pending and len(self.pending) >= MAX_PENDING:
            del self.pending[next(iter(self.pending))]
        self.pending.setdefault(key, _Level([])).choices.append(choice)
        self.levels_built += 1

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        agent = info.get("agent", "protagonist")
        if agent not in AGENTS:
            raise ValueError(f"info['agent'] = {agent!r}; expected one of {AGENTS}")
        level = self.pending.get(task_key(task))
        if level is not None:  # feedback on levels of no open round is ignored
            level.returns[agent].append(episode_return)

    def end_round(self) -> NDArray[np.float64]:
        """Close the round: the regret of each distinct level generated since the last call (in
        order of first generation; NaN where a student has no return on it), and one update of
        the teacher on every choice of the levels that have a regret."""
        levels = list(self.pending.values())
        self.pending = {}
        regrets = np.array([regret(lv.returns[AGENTS[0]], lv.returns[AGENTS[1]]) for lv in levels])
        played = [(lv, r) for lv, r in zip(levels, regrets) if np.isfinite(r)]
        self.rounds += 1
        self.last_regrets = [float(r) for _, r in played]
        if played:
            choices = [c for lv, _ in played for c in lv.choices]
            rewards = [r for lv, r in played for _ in lv.choices]
            self.last_stats = self._train(choices, rewards)
        return regrets

    @abstractmethod
    def _train(self, choices: list[NDArray[Any]], rewards: list[float]) -> dict[str, Any]:
        """Learn from the choices of played levels and their regrets; returns statistics."""

    def inner_state(self) -> dict[str, Any]:
        regrets = self.last_regrets
        return {
            "rounds": self.rounds,
            "levels_built": self.levels_built,
            "last_round_mean_regret": float(np.mean(regrets)) if regrets else None,
        }
