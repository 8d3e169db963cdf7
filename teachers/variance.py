"""``variance``: prefer the tasks whose recent outcomes vary most.

The idea that VCRL (Jiang et al. 2025, "VCRL: Variance-based Curriculum Reinforcement Learning
for Large Language Models") and the prompt curricula of RL fine-tuning for language models share:
a task the student always solves or always fails teaches it little, one it solves about half of
the time teaches it most, and the variance of its recent rewards says which is which. With 0/1
outcomes the variance is largest at a success probability of 0.5. VCRL scores a prompt by the
unbiased variance of the rewards of its group of ``G`` answers, normalized by the largest one
such a group can have (``p = sigma^2 / sigma^2_max``), and trains on the prompts that score high.

Here a task's *group* is its recent episodes, and a score near 1 means the outcomes split evenly
between the lowest and the highest seen:

- on a task set (one discrete dimension): the last ``window`` outcomes of each task;
- on any other space, where a task is rarely played twice, the ``window`` nearest episodes (in
  the unit cube) among the last ``history`` ones: the tasks around a point share their
  episodes, so a region whose returns are rising, or that straddles the student's frontier,
  scores high.

An outcome is the episode's ``success`` when the student gives it; else, with a success threshold
(``success_threshold``, or the env's mastery threshold from expert knowledge at ``"low"`` and
above), whether the return is above it, a 0/1 outcome as in VCRL; else the return itself. The
threshold matters on envs whose return depends on the start state: on a pendulum too heavy to
swing up the return still varies with the start angle, so the variance of returns reads that
noise as an uncertain outcome, while every such episode is a failure and has variance 0 (the
same noise made ALP-GMM fall below ``random`` in ``benchmarks/suites/baselines-pendulum.toml``).
Where returns only rise with learning (the toy bench) they mark the frontier sooner than 0/1
successes do: run such an env at expert knowledge ``"none"`` to score returns.
``p`` is the
unbiased variance of the ``n`` outcomes divided by ``range^2 * floor(n/2) * ceil(n/2) / (n (n -
1))``, the largest unbiased variance of ``n`` values within ``range``, VCRL's normalizer for 0/1
rewards (``range`` = 1) and, for returns, the range of all returns seen so far.

Sampling, with probability ``epsilon`` a uniform task, else: on a task set, a task drawn with
probability proportional to ``p`` (a task with fewer than two outcomes scores 1, so every task
is tried); on other spaces, the best of ``candidates`` uniform tasks (uniform until ``window``
episodes are in). VCRL instead keeps the prompts of its batch whose ``p`` is above a threshold
and replays high-``p`` prompts from a memory bank; with one task per episode, drawing in
proportion to ``p`` is the soft version of that filter.

Defaults (ours: the paper's groups are answers to one prompt, not windows): ``window`` 10,
``history`` 1000, ``candidates`` 32, ``epsilon`` 0.1. With them the teacher masters the
task-graph chain and far more toy-bench cells than ``random`` (the tests check both); on the
toy bench returns only rise, so the variance of a cell's neighbourhood is its progress or its
frontier with mastered cells. Figures: ``python -m benchmarks.perf.teachers_toy --teachers
variance`` and ``results/perf/2026-12-04-recent-teachers.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.arms import RETURN_LIMIT, draw
from aclbench.teachers.base import Teacher
from aclbench.teachers.params import check_fraction, check_int, check_number
from aclbench.teachers.registry import register_teacher


def normalized_variance(values: NDArray[np.float64], value_range: float) -> NDArray[np.float64]:
    """``p`` of each row of ``values`` (``n_groups`` x ``n``): the unbiased variance of the row
    over the largest one ``n`` values within ``value_range`` can have; 0 if the range is 0."""
    n = values.shape[-1]
    if n < 2 or value_range <= 0:
        return np.zeros(values.shape[:-1])
    largest = (n // 2) * (n - n // 2) / (n * (n - 1))  # for values within a range of 1
    p = (values / value_range).var(axis=-1, ddof=1) / largest
    return np.minimum(p, 1.0)


@register_teacher("variance")
class VarianceTeacher(Teacher):
    """Tasks whose recent outcomes have the highest normalized variance (VCRL's signal).

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator.
        window: outcomes per task on a task set; nearest episodes per candidate elsewhere.
        history: recent episodes the nearest ones are searched in (spaces other than a set).
        candidates: uniform tasks scored per proposal (spaces other than a set).
        epsilon: probability of a uniform task.
        success_threshold: an episode without a given ``success`` succeeds when its return is
            above it; if None, the expert knowledge's mastery threshold, else outcomes are
            returns.
        expert_knowledge: given by the harness (``"low"`` is all this teacher uses).
    """

    expert_knowledge_used: ClassVar[str] = "low"

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        window: int = 10,
        history: int = 1000,
        candidates: int = 32,
        epsilon: float = 0.1,
        success_threshold: float | None = None,
        expert_knowledge: ExpertKnowledge | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.window = check_int(self, "window", window, 2)
        self.history = check_int(self, "history", history, self.window)
        self.candidates = check_int(self, "candidates", candidates, 1)
        self.epsilon = check_fraction(self, "epsilon", epsilon)
        knowledge = expert_knowledge or ExpertKnowledge()
        self.success_threshold = (
            knowledge.mastery_threshold
            if success_threshold is None
            else check_number(self, "success_threshold", success_threshold)
        )
        dims = task_space.dims
        self.task_set = len(dims) == 1 and dims[0].discrete
        rows = int(dims[0].n or 1) if self.task_set else 1
        size = self.window if self.task_set else self.history
        self.outcomes = np.zeros((rows, size))  # ring buffers: per task, or one of all episodes
        self.counts = np.zeros(rows, dtype=np.int64)
        self.points = np.zeros((0 if self.task_set else size, len(task_space)))
        self.low, self.high = np.inf, -np.inf  # range of the outcomes seen

    # --- sampling ----------------------------------------------------------------------------
    def scores(self) -> NDArray[np.float64]:
        """On a task set, ``p`` per task (1 for a task with fewer than two outcomes)."""
        held = np.minimum(self.counts, self.window)
        scores = np.ones(len(self.counts))
        for task in np.flatnonzero(held >= 2):
            values = self.outcomes[task, : held[task]]
            scores[task] = normalized_variance(values, self.high - self.low)
        return scores

    def _sample_task(self) -> Task:
        held = min(int(self.counts[0]), self.outcomes.shape[1])
        if self.rng.random() < self.epsilon or (not self.task_set and held < self.window):
            return self.task_space.sample(self.rng)
        if self.task_set:
            scores = self.scores()
            weights = scores if scores.sum() > 0 else np.ones_like(scores)
            return np.array([self.task_space.low[0] + draw(weights, self.rng)])
        units = self.rng.random((self.candidates, len(self.task_space)))  # as space.sample
        pool = self.task_space.from_unit(units)
        scores = self.neighbour_scores(self.task_space.to_unit(pool), held)
        best = np.flatnonzero(scores == scores.max())
        return pool[best[self.rng.integers(best.size)]]

    def neighbour_scores(self, units: NDArray[np.float64], held: int) -> NDArray[np.float64]:
        """``p`` of the ``window`` nearest of the ``held`` stored episodes, per row of
        ``units`` (``n`` x ``n_dims``, unit cube)."""
        points, values = self.points[:held], self.outcomes[0, :held]
        # squared distances up to the per-row constant |unit|^2, which leaves the order as is
        distances = (points * points).sum(axis=1) - 2.0 * units @ points.T
        nearest = np.argpartition(distances, self.window - 1, axis=1)[:, : self.window]
        return normalized_variance(values[nearest], self.high - self.low)

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        bounded = min(max(episode_return, -RETURN_LIMIT), RETURN_LIMIT)
        if success is not None:
            outcome = float(success)
        elif self.success_threshold is not None:
            outcome = float(episode_return > self.success_threshold)
        else:
            outcome = bounded
        self.low, self.high = min(self.low, outcome), max(self.high, outcome)
        row = int(round(task[0] - self.task_space.low[0])) if self.task_set else 0
        slot = self.counts[row] % self.outcomes.shape[1]
        self.outcomes[row, slot] = outcome
        if not self.task_set:
            self.points[slot] = self.task_space.to_unit(task)
        self.counts[row] += 1

    def inner_state(self) -> dict[str, Any]:
        if self.task_set:
            return {"scores": self.scores().tolist()}
        return {"episodes_held": int(min(self.counts[0], self.history))}
