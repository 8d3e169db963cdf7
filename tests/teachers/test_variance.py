"""The ``variance`` teacher: VCRL's normalized variance, per task on a task set and over nearest
episodes elsewhere, and what it is for: the toy bench and the task-graph chain."""

import numpy as np
import pytest

from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.task_space import TaskSpace
from aclbench.teachers import make_teacher
from aclbench.teachers.variance import normalized_variance
from benchmarks.perf.teachers_toy import run_toy
from tests.teachers.test_set_teachers_on_task_graph import _mean_mastered


@pytest.mark.parametrize(
    ("values", "value_range", "expected"),
    [
        ([0.0, 1.0, 0.0, 1.0], 1.0, 1.0),  # half successes: VCRL's largest variance
        ([0.0, 0.0, 0.0, 1.0], 1.0, 0.75),  # unbiased variance 1/4 over the largest, 1/3
        ([0.0, 1.0, 1.0], 1.0, 1.0),  # odd group: largest is (n + 1) / (4 n) = 1/3
        ([1.0, 1.0, 1.0], 1.0, 0.0),  # always solved
        ([0.0, 2.0, 0.0, 2.0], 4.0, 0.25),  # returns: half of a range of 4
        ([0.5, 0.5], 0.0, 0.0),  # nothing varies yet
    ],
)
def test_normalized_variance_by_hand(values, value_range, expected):
    assert normalized_variance(np.array([values]), value_range)[0] == pytest.approx(expected)


def test_on_a_task_set_the_task_solved_half_of_the_time_is_drawn_most():
    space = TaskSpace({"task": 3})
    teacher = make_teacher("variance", space, seed=0)
    for i in range(10):  # task 0 always fails, task 1 always succeeds, task 2 alternates
        for task, outcome in ((0, 0.0), (1, 1.0), (2, float(i % 2))):
            teacher.update([task], outcome)
    assert teacher.scores().tolist() == pytest.approx([0.0, 0.0, 1.0])
    drawn = np.array([teacher.sample_task()[0] for _ in range(1000)])
    assert np.mean(drawn == 2) > 0.85  # 0.9 + 0.1 / 3 in expectation
    assert set(drawn.tolist()) == {0.0, 1.0, 2.0}  # epsilon keeps the others in play


def test_success_is_the_outcome_when_the_student_gives_it():
    space = TaskSpace({"task": 2})
    teacher = make_teacher("variance", space, seed=0)
    for i in range(10):  # equal returns everywhere; only task 1's successes vary
        teacher.update([0], 1.0, success=True)
        teacher.update([1], 1.0, success=bool(i % 2))
    assert teacher.scores().tolist() == pytest.approx([0.0, 1.0])


def _noisy_failures_and_a_frontier(teacher, rng, episodes=600):
    """A pendulum in miniature: for x > 0.5 every episode fails but its return is start-state
    noise spread over [-1600, -800]; for x < 0.5 returns are about -300 (success, above the
    -400 threshold) or -900 (failure), each half of the time. Returns the x of each task."""
    xs = []
    for _ in range(episodes):
        task = teacher.sample_task()
        xs.append(task[0])
        if task[0] > 0.5:
            episode_return = rng.uniform(-1600.0, -800.0)
        else:
            episode_return = -300.0 if rng.random() < 0.5 else -900.0
        teacher.update(task, episode_return)
    return np.array(xs)


@pytest.mark.parametrize("by", ["parameter", "expert knowledge"])
def test_with_a_success_threshold_noisy_failures_score_zero(by):
    space = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    if by == "parameter":
        teacher = make_teacher("variance", space, seed=0, success_threshold=-400.0)
    else:
        knowledge = ExpertKnowledge.from_mastery(-400.0, (-1200.0, -400.0)).at("low")
        teacher = make_teacher("variance", space, seed=0, expert_knowledge=knowledge)
    assert teacher.success_threshold == -400.0
    xs = _noisy_failures_and_a_frontier(teacher, np.random.default_rng(0))
    assert np.mean(xs[300:] < 0.5) > 0.8  # uniform: 0.5


def test_without_a_threshold_return_noise_reads_as_uncertainty():
    """The trap the threshold avoids: on raw returns the noisy failures score as high as the
    frontier, and the teacher stays near uniform."""
    space = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    teacher = make_teacher("variance", space, seed=0)
    xs = _noisy_failures_and_a_frontier(teacher, np.random.default_rng(0))
    assert np.mean(xs[300:] < 0.5) < 0.7


def test_no_expert_knowledge_means_no_threshold():
    space = TaskSpace({"x": (0.0, 1.0)})
    none = ExpertKnowledge.from_mastery(-400.0, (-1200.0, -400.0)).at("none")
    assert make_teacher("variance", space, seed=0, expert_knowledge=none).success_threshold is None


def test_on_a_continuous_space_neighbouring_episodes_share_their_outcomes():
    """Returns vary only for x < 0.2 (coin flips), never elsewhere: the teacher soon proposes
    mostly tasks there, though no task is ever played twice."""
    space = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
    teacher = make_teacher("variance", space, seed=0)
    rng = np.random.default_rng(0)
    xs = []
    for _ in range(600):
        task = teacher.sample_task()
        xs.append(task[0])
        teacher.update(task, float(rng.random() < 0.5) if task[0] < 0.2 else 0.5)
    assert np.mean(np.array(xs[300:]) < 0.2) > 0.7  # uniform: 0.2


def test_masters_many_times_more_toy_cells_than_random():
    """2-D toy bench with 5 x 5 cells, 3000 episodes, outcomes as returns (expert knowledge
    "none"): on the toy the return of a cell only rises with learning, so its variance is the
    frontier itself; with the mastery threshold ("low") the 0/1 successes come later and the
    teacher finds the frontier later (``benchmarks.perf.teachers_toy --teachers variance
    --expert-knowledge none|low``)."""
    episodes, cells = 3000, 5
    bench = {"episodes": episodes, "checkpoints": (episodes,), "cells_per_dim": cells}
    runs = [run_toy("random", seed=s, **bench) for s in range(3)]
    uniform = float(np.mean([run.mastered[episodes] for run in runs]))
    ours = run_toy("variance", seed=0, expert_knowledge="none", **bench)
    assert uniform > 0
    assert ours.mastered[episodes] >= 5 * uniform, (ours.mastered, uniform)


def test_masters_the_task_graph_chain_where_random_does_not():
    """Default task-graph env, 1000 episodes, 5 seeds: all 6 learnable tasks against 3."""
    assert _mean_mastered("variance") >= _mean_mastered("random") + 2.0
