"""The ``dump`` teacher: UCB scores by hand, absolute advantages from rollouts (or from returns
without them), and the toy bench where it beats random."""

import math

import numpy as np
import pytest

from aclbench.task_space import TaskSpace
from aclbench.teachers import Capabilities, Rollout, make_teacher
from aclbench.teachers.base import check_capabilities
from benchmarks.perf.teachers_toy import run_toy

SET = TaskSpace({"task": 2})


def _rollout(tasks, advantages, starts) -> Rollout:
    """One env; ``tasks`` (task index per step), advantages and episode starts per step."""
    n = len(tasks)
    column = np.array(advantages, dtype=np.float64)[:, None]
    return Rollout(
        tasks=np.array(tasks, dtype=np.float64)[:, None, None],
        rewards=np.zeros((n, 1)),
        values=np.zeros((n, 1)),
        advantages=column,
        returns=column,
        episode_starts=np.array(starts)[:, None],
    )


def test_declares_rollouts():
    assert check_capabilities(make_teacher("dump", SET, seed=0)) == Capabilities(rollouts=True)


def test_scores_are_window_means_plus_the_ucb_bonus():
    teacher = make_teacher("dump", SET, seed=0)
    for task, episode_return in ((0, 0.0), (0, 1.0), (1, 0.5), (1, 0.5), (1, 0.5)):
        teacher.update([task], episode_return)
    # arm 0: one sample |1 - 0| = 1; arm 1: two samples of 0; N = 3
    bonus = [math.sqrt(2 * math.log(4) / 2), math.sqrt(2 * math.log(4) / 3)]
    assert teacher.scores().tolist() == pytest.approx([1 + bonus[0], bonus[1]])
    logits = teacher.scores() / 0.1
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    assert teacher.probabilities() == pytest.approx(expected)


def test_an_untried_arm_has_the_largest_bonus():
    teacher = make_teacher("dump", TaskSpace({"task": 3}), seed=0)
    for _ in range(5):
        teacher.update([0], 0.0)
        teacher.update([1], 0.0)
    assert int(np.argmax(teacher.scores())) == 2


def test_rollouts_give_each_episode_its_mean_absolute_advantage_and_replace_returns():
    teacher = make_teacher("dump", SET, seed=0)
    teacher.on_rollout_end(_rollout([0, 0, 1, 1], [1.0, -3.0, 0.5, -0.5], [1, 0, 1, 0]))
    assert teacher.advantages.counts.tolist() == [1, 0]  # task 1's episode is still open
    assert teacher.advantages.means()[0] == pytest.approx(2.0)
    teacher.on_rollout_end(_rollout([0, 0], [4.0, 4.0], [1, 0]))  # closes task 1's episode
    assert teacher.advantages.counts.tolist() == [1, 1]
    assert teacher.advantages.means()[1] == pytest.approx(0.5)
    for _ in range(3):
        teacher.update([0], 10.0)  # returns no longer count once rollouts arrive
    assert teacher.advantages.counts.tolist() == [1, 1]
    assert teacher.inner_state()["scored_by"] == "rollouts"


def test_beats_random_on_the_toy_bench_from_returns_alone():
    """The simulated student sends no rollouts, as for PLR: |return - baseline| stands in for
    the advantage. 2-D toy with 5 x 5 cells, 3000 episodes: 12% of cells against random's 4%
    (seeds 0-2: 12, 12, 16 and 4, 4, 4)."""
    bench = {"episodes": 3000, "checkpoints": (3000,), "cells_per_dim": 5}
    uniform = np.mean([run_toy("random", seed=s, **bench).mastered[3000] for s in range(3)])
    ours = run_toy("dump", seed=0, **bench).mastered[3000]
    assert uniform > 0
    assert ours >= 2 * uniform, (ours, uniform)
