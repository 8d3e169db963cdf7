"""Level scores of Prioritized Level Replay, computed from on-policy rollouts.

Jiang, Grefenstette and Rocktäschel (ICML 2021), "Prioritized Level Replay"; MaxMC from Jiang
et al. (NeurIPS 2021), "Replay-Guided Adversarial Environment Design". A level's score is an
average over the steps ``t = 0..T-1`` of one episode played on it, with ``A_t`` the generalized
advantage estimate and ``V_t`` the value prediction:

- ``positive_value_loss``: ``mean_t max(A_t, 0)`` (Robust PLR's and ACCEL's default);
- ``l1_value_loss``: ``mean_t |A_t|``, the "average magnitude of the GAE" of the PLR paper;
- ``max_mc``: ``mean_t (R_max - V_t)`` with ``R_max`` the highest (undiscounted) return ever
  reached on the level, so a level scores high when the student did better on it before than it
  now expects to; can be negative;
- ``policy_entropy``: ``mean_t H(pi(.|s_t))``, the PLR paper's average entropy of the policy
  (the reference implementation divides it by ``log(n_actions)``, which rank prioritization
  ignores); needs :attr:`Rollout.entropies`;
- ``least_confidence``: ``mean_t (1 - max_a pi(a|s_t))``; needs :attr:`Rollout.action_probs`;
- ``min_margin``: ``mean_t (1 - (pi(a1|s_t) - pi(a2|s_t)))`` with ``a1``, ``a2`` the two most
  probable actions; needs :attr:`Rollout.action_probs`.

The last three score how uncertain the policy is on a level; the paper finds them weaker than
the value-based scores, and they are here for its comparison.

An episode that crosses the end of a rollout is continued in the next one, so its score covers
the whole episode (a step-weighted mean, as the reference implementation merges partial scores).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aclbench.errors import ConfigError
from aclbench.task_space import Task
from aclbench.teachers.base import Rollout

MEANS = (
    "positive_advantage",
    "abs_advantage",
    "value",
    "entropy",
    "least_confidence",
    "min_margin",
)
"""The per-step means an :class:`EpisodeStats` keeps, in the row order of :func:`step_signals`."""


@dataclass
class EpisodeStats:
    """Per-step means over the part of an episode seen so far, and its return.

    Means are merged batch by batch (a convex combination), not kept as sums, so that advantages
    and values near the float limit cannot overflow them; the return is capped at that limit.
    The policy's means stay 0 where the rollouts had no entropies or action probabilities.
    """

    steps: int = 0
    positive_advantage: float = 0.0
    abs_advantage: float = 0.0
    value: float = 0.0
    reward: float = 0.0
    entropy: float = 0.0
    least_confidence: float = 0.0
    min_margin: float = 0.0

    def merge(self, steps: int, means: list[float], reward: float) -> None:
        """Add ``steps`` steps, given their means (in :data:`MEANS` order) and reward sum."""
        total = self.steps + steps
        old_weight, new_weight = self.steps / total, steps / total
        for name, mean in zip(MEANS, means):
            setattr(self, name, getattr(self, name) * old_weight + mean * new_weight)
        self.steps = total
        self.reward = float(bounded_sums(np.array(reward + self.reward)))


def bounded_sums(rewards: np.ndarray) -> np.ndarray:
    """Reward sums (which overflow to inf, never raise) made finite: capped at the float limit,
    0 where the sum is NaN (inf - inf: no meaningful sum)."""
    rewards = np.where(np.isnan(rewards), 0.0, rewards)
    return np.clip(rewards, -sys.float_info.max, sys.float_info.max)


def step_signals(rollout: Rollout) -> np.ndarray:
    """``len(MEANS)`` x ``n_envs`` x ``n_steps``: what each step of each env adds to each
    mean."""
    advantages = rollout.advantages.T
    signals = np.zeros((len(MEANS), *advantages.shape))
    signals[0] = np.clip(advantages, 0.0, None)
    signals[1] = np.abs(advantages)
    signals[2] = rollout.values.T
    if rollout.entropies is not None:
        signals[3] = rollout.entropies.T
    if rollout.action_probs is not None:
        probs = np.sort(rollout.action_probs, axis=-1)  # steps x envs x n_actions
        second = probs[..., -2] if probs.shape[-1] > 1 else 0.0
        signals[4] = (1.0 - probs[..., -1]).T
        signals[5] = (1.0 - (probs[..., -1] - second)).T
    return signals


SCORES: dict[str, Callable[[EpisodeStats, float], float]] = {
    "positive_value_loss": lambda stats, best: stats.positive_advantage,
    "l1_value_loss": lambda stats, best: stats.abs_advantage,
    "max_mc": lambda stats, best: best - stats.value,
    "policy_entropy": lambda stats, best: stats.entropy,
    "least_confidence": lambda stats, best: stats.least_confidence,
    "min_margin": lambda stats, best: stats.min_margin,
}
"""Score name -> ``score(episode stats, best return on the level including this episode)``."""

NEEDS: dict[str, str] = {
    "policy_entropy": "entropies",
    "least_confidence": "action_probs",
    "min_margin": "action_probs",
}
"""Score name -> the optional :class:`Rollout` field it is computed from."""


def check_rollout(score: str, rollout: Rollout) -> None:
    """Raise ConfigError if ``score`` needs a field the student left out of ``rollout``."""
    field = NEEDS.get(score)
    if field is not None and getattr(rollout, field) is None:
        raise ConfigError(
            f"score = {score!r} needs the student's per-step Rollout.{field}, and this "
            f"student's rollouts have none (SB3 on-policy students give entropies for any "
            f"action space and action_probs for discrete actions); choose a score that needs "
            f"none of them: {', '.join(repr(s) for s in SCORES if s not in NEEDS)}"
        )


class EpisodeTracker:
    """Cuts rollouts into episodes, carrying each env's unfinished episode to the next rollout."""

    def __init__(self) -> None:
        self.open: dict[int, tuple[Task, EpisodeStats]] = {}

    def split(self, rollout: Rollout) -> list[tuple[Task, EpisodeStats]]:
        """The episodes that ended in or just before ``rollout``, in order of their last step.

        An env's last episode in the rollout is held open: whether it ended is only known from
        the first step of the next rollout (``episode_starts[0]``).

        The rollout is cut into pieces (each env's first step, and every episode start, begins
        one) and all pieces' means are computed at once, env after env; a piece that begins an
        episode gets the stats :meth:`EpisodeStats.merge` gives from none, in array form.
        """
        n_steps, n_envs = rollout.rewards.shape
        starts = rollout.episode_starts.T.copy()  # n_envs x n_steps
        ended_before = starts[:, 0].tolist()  # the episode carried from the last rollout ended
        starts[:, 0] = True
        cuts = np.flatnonzero(starts)  # first steps of the pieces, env-major
        lengths = np.diff(np.append(cuts, n_envs * n_steps))
        # Each piece's mean in one pass; terms of at most max / length: no overflow.
        scaled = step_signals(rollout).reshape(len(MEANS), -1) / np.repeat(lengths, lengths)
        means = np.add.reduceat(scaled, cuts, axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            rewards = np.add.reduceat(rollout.rewards.T.reshape(-1), cuts)
        # merge's arithmetic for an empty EpisodeStats, for every piece at once
        new_rewards = bounded_sums(rewards + 0.0)
        new_means = (means + 0.0).T.tolist()
        finished: list[tuple[int, int, Task, EpisodeStats]] = []
        for i, (env, first, length) in enumerate(
            zip((cuts // n_steps).tolist(), (cuts % n_steps).tolist(), lengths.tolist())
        ):
            task = rollout.tasks[first, env]
            carried = self.open.pop(env, None) if first == 0 else None
            if carried is not None and ended_before[env]:
                finished.append((-1, env, *carried))
                carried = None
            if carried is not None and np.array_equal(carried[0], task):
                stats = carried[1]
                stats.merge(length, means[:, i].tolist(), float(rewards[i]))
            else:
                advantage, magnitude, value, entropy, confidence, margin = new_means[i]
                stats = EpisodeStats(
                    length,
                    advantage,
                    magnitude,
                    value,
                    float(new_rewards[i]),
                    entropy,
                    confidence,
                    margin,
                )
            if first + length < n_steps:
                finished.append((first + length - 1, env, task.copy(), stats))
            else:
                self.open[env] = (task.copy(), stats)
        finished.sort(key=lambda item: (item[0], item[1]))
        return [(task, stats) for _, _, task, stats in finished]
