"""``plr`` and ``robust-plr``: Prioritized Level Replay over an unbounded level generator.

PLR: Jiang, Grefenstette and Rocktäschel (ICML 2021), "Prioritized Level Replay". Robust PLR
(PLR-perp): Jiang, Dennis, Parker-Holder, Foerster, Grefenstette and Rocktäschel (NeurIPS
2021), "Replay-Guided Adversarial Environment Design".

A level is a task vector. Before each episode (Robust PLR: each rollout, see below) the teacher
either replays a level from its buffer, drawn by score and staleness (:mod:`teachers.level_buffer`),
or plays a new one from ``task_space.sample`` (for the maze: the random level generator).
Replay starts once the buffer is filled to the fraction ``rho`` and then happens with
probability ``replay_prob``. Each finished episode scores its level from the student's
rollouts (:mod:`teachers.plr_scores`); a new level enters the buffer if there is room or if it
scores at least as high as the lowest-scoring stored level.

Working with a student:

- It declares ``rollouts`` (:class:`~teachers.base.Capabilities`): an on-policy student passes
  each rollout to ``on_rollout_end``, with the policy's outputs for the policy-based scores.
- PLR decides replay-or-new for every level it samples, that is per episode, as the PLR paper's
  level sampler does at each env's reset; ``replaying`` says whether the last sampled task was a
  replay.
- Robust PLR declares ``rollout_mode``: ``begin_rollout()`` draws replay-or-new for a whole
  rollout and returns it (true = replay); every ``sample_task`` until the next call follows it,
  so a rollout is all replays or all new levels (exactly so if the student also restarts its
  envs when the decision changes, as the SB3 students do: :mod:`students.rollout_modes`;
  otherwise an episode begun in the previous rollout finishes on its level), as in the reference
  implementation (dcd). It needs whole rollouts of one kind because
  ``train_on_new_levels`` is false: the student takes no gradient step on rollouts of new
  (exploratory) levels, only on replays; the teacher still scores those levels, which is how
  they enter the buffer. A student that never calls ``begin_rollout`` gets a fresh decision per
  episode.

Students that send no rollouts (returns only, like ``check_teacher``) still get a sensible
curriculum: until a first rollout arrives, a level's score is its best return minus its mean
return (MaxMC with the mean return standing in for the value prediction). A new level scores 0
and levels whose returns vary are replayed most; replay by staleness then revisits the rest.

Defaults (Robust PLR on mazes in the reference implementation, dcd): positive value loss, rank
prioritization with temperature 0.1, staleness coefficient 0.3, replay probability 0.5, replay
from half full, 4000 levels.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from aclbench.task_space import Task, TaskSpace, task_key
from aclbench.teachers.base import Capabilities, Rollout, Teacher
from aclbench.teachers.level_buffer import TRANSFORMS, LevelBuffer
from aclbench.teachers.params import check_choice, check_fraction, check_int, check_positive
from aclbench.teachers.plr_scores import NEEDS, SCORES, EpisodeStats, EpisodeTracker, check_rollout
from aclbench.teachers.registry import register_teacher

MAX_AWAITING = 10_000
"""Most sampled levels awaiting their first feedback (the oldest is forgotten first)."""


@register_teacher("plr")
class PLRTeacher(Teacher):
    """Prioritized Level Replay; learns on new and replayed levels alike.

    Args:
        task_space: the levels.
        seed: seed of the teacher's generator.
        score: ``"positive_value_loss"``, ``"l1_value_loss"``, ``"max_mc"``,
            ``"policy_entropy"``, ``"least_confidence"`` or ``"min_margin"``
            (:mod:`teachers.plr_scores`).
        transform: score prioritization, ``"rank"`` or ``"power"``.
        temperature: ``beta`` of the prioritization, > 0 (smaller = greedier).
        staleness_coef: weight of staleness in the replay distribution, in [0, 1].
        replay_prob: probability of replaying once the buffer is filled to ``rho``.
        rho: buffer fill fraction from which replay starts, in [0, 1].
        buffer_size: most levels kept.
    """

    capabilities = Capabilities(rollouts=True)

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        score: str = "positive_value_loss",
        transform: str = "rank",
        temperature: float = 0.1,
        staleness_coef: float = 0.3,
        replay_prob: float = 0.5,
        rho: float = 0.5,
        buffer_size: int = 4000,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.score = check_choice(self, "score", score, SCORES)
        self.transform = check_choice(self, "transform", transform, TRANSFORMS)
        self.temperature = check_positive(self, "temperature", temperature)
        if score in NEEDS:
            self.capabilities = replace(self.capabilities, policy_outputs=True)
        self.staleness_coef = check_fraction(self, "staleness_coef", staleness_coef)
        self.replay_prob = check_fraction(self, "replay_prob", replay_prob)
        self.rho = check_fraction(self, "rho", rho)
        self.buffer = LevelBuffer(check_int(self, "buffer_size", buffer_size, 1), len(task_space))
        self.tracker = EpisodeTracker()
        self.samples = 0  # levels sampled so far: the clock of staleness
        # the clock when each proposed level not yet in the buffer was sampled: its staleness
        # counts from then, not from its feedback, which comes episodes later with parallel envs
        self.sampled_at: dict[bytes, int] = {}
        self.replaying = False
        self.scored_by_rollouts = False
        self.replays = self.new_levels = 0

    # --- sampling ------------------------------------------------------------------------------
    def _decide_replay(self) -> bool:
        warm = len(self.buffer) > 0 and self.buffer.fill >= self.rho
        return warm and bool(self.rng.random() < self.replay_prob)

    def _replay_decision(self) -> bool:
        """Hook: replay (true) or a new level for the task being sampled; PLR draws afresh for
        every episode."""
        return self._decide_replay()

    def _sample_task(self) -> Task:
        replay = self._replay_decision()
        self.replaying = replay and len(self.buffer) > 0
        if self.replaying:
            self.replays += 1
            slot = self.buffer.sample(  # staleness counts the samples before this one
                self.rng, self.samples, self.transform, self.temperature, self.staleness_coef
            )
            self.samples += 1
            self.buffer.mark_sampled(slot, self.samples)
            level = self._replayed(self.buffer.levels[slot].copy())
        else:
            self.samples += 1
            self.new_levels += 1
            level = self._new_level()
        if self.buffer.find(level) is None:  # a new level, or ACCEL's edit of a replayed one
            self.sampled_at[task_key(level)] = self.samples
            if len(self.sampled_at) > MAX_AWAITING:  # feedback that never comes
                del self.sampled_at[next(iter(self.sampled_at))]
        return level

    def replay_probabilities(self) -> np.ndarray:
        """Probability of each stored level (``len(buffer)``) at the next replay."""
        return self.buffer.probabilities(
            self.samples, self.transform, self.temperature, self.staleness_coef
        )

    def _replayed(self, level: Task) -> Task:
        """Hook: a level about to be replayed (ACCEL edits it here)."""
        return level

    def _new_level(self) -> Task:
        """Hook: the next exploratory level."""
        return self.task_space.sample(self.rng)

    # --- scoring -------------------------------------------------------------------------------
    def _on_rollout_end(self, rollout: Rollout) -> None:
        self.scored_by_rollouts = True
        check_rollout(self.score, rollout)
        score = SCORES[self.score]
        for task, stats in self.tracker.split(rollout):

            def by_stats(best: float, _: float, stats: EpisodeStats = stats) -> float:
                return score(stats, best)

            self._score_episode(task, stats.reward, by_stats)

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        if not self.scored_by_rollouts:  # returns-only fallback (module docstring)
            self._score_episode(task, episode_return, lambda best, mean: best - mean)

    def _score_episode(
        self, task: Task, episode_return: float, score: Callable[[float, float], float]
    ) -> None:
        """Record one episode on ``task``; ``score(best_return, mean_return)`` of its level.

        A score of returns more than the float range apart overflows: it is capped at the
        largest float, so that priorities and the report stay finite.
        """

        def capped(best: float, mean: float) -> float:
            value = float(score(best, mean))
            return (
                value
                if abs(value) <= sys.float_info.max
                else math.copysign(sys.float_info.max, value)
            )

        slot = self.buffer.find(task)
        if slot is None:
            sampled = self.sampled_at.pop(task_key(task), self.samples)
            slot = self.buffer.add(task, capped(episode_return, episode_return), sampled)
            if slot is None:
                return
        best, mean = self.buffer.record_return(slot, episode_return)
        self.buffer.set_score(slot, capped(best, mean))

    # --- report --------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        scores = self.buffer.scores[: len(self.buffer)]
        return {
            "buffer_levels": len(self.buffer),
            "buffer_capacity": self.buffer.capacity,
            "score_mean": float(np.sum(scores / len(scores))) if len(scores) else None,
            "score_max": float(scores.max()) if len(scores) else None,
            "replays": self.replays,
            "new_levels": self.new_levels,
            "scored_by": "rollouts" if self.scored_by_rollouts else "returns",
        }


@register_teacher("robust-plr")
class RobustPLRTeacher(PLRTeacher):
    """Robust PLR: as PLR, but the student learns only from replayed levels; new levels are
    played to be scored, without a gradient step (``train_on_new_levels`` is false)."""

    capabilities = Capabilities(rollouts=True, rollout_mode=True)
    train_on_new_levels = False

    def __init__(self, task_space: TaskSpace, **kwargs: Any) -> None:
        super().__init__(task_space, **kwargs)
        self._rollout_replay: bool | None = None  # None until the first begin_rollout()

    def begin_rollout(self) -> bool:
        """Decide replay (true) or new levels for every task sampled until the next call."""
        self._rollout_replay = self._decide_replay()
        return self._rollout_replay

    def _replay_decision(self) -> bool:
        if self._rollout_replay is None:  # a student that never calls begin_rollout()
            return super()._replay_decision()
        return self._rollout_replay
