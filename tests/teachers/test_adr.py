"""ADR: the box grows and shrinks as the paper says, and the toy bench shows where it helps."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers import make_teacher
from benchmarks.perf.teachers_toy import run_toy

LINE = TaskSpace({"x": (0.0, 1.0)})


def adr(space=LINE, **params):  # noqa: ANN001, ANN201
    settings = {"low_threshold": 0.0, "high_threshold": 1.0, "boundary_prob": 1.0}
    settings.update(step_size=0.1, queue_length=2)
    return make_teacher("adr", space, seed=0, **{**settings, **params})


def play(teacher, returns):  # noqa: ANN001, ANN201
    """Feed ``returns`` on the teacher's own tasks; the tasks it proposed, in order."""
    tasks = []
    for value in returns:
        task = teacher.sample_task()
        tasks.append(float(task[0]))
        teacher.update(task, value)
    return tasks


def test_a_box_at_the_space_s_top_widens_downward_by_one_step_per_full_queue() -> None:
    teacher = adr(start=[1.0])  # the high side is at the space's edge: every pin is low
    tasks = play(teacher, [1.0] * 8)
    assert tasks == pytest.approx([1.0, 1.0, 0.9, 0.9, 0.8, 0.8, 0.7, 0.7])
    assert teacher.inner_state() == {"low": pytest.approx([0.6]), "high": [1.0], "moves": 4}


def test_failing_edges_narrow_back_and_middling_ones_stay() -> None:
    teacher = adr(start=[0.0])  # every pin is high
    play(teacher, [1.0] * 6)  # widens to [0, 0.3]
    assert teacher.inner_state()["high"] == pytest.approx([0.3])
    play(teacher, [0.5] * 4)  # between the thresholds: queues fill, nothing moves
    assert teacher.inner_state()["high"] == pytest.approx([0.3])
    play(teacher, [0.0] * 4)
    assert teacher.inner_state()["high"] == pytest.approx([0.1])
    play(teacher, [0.0] * 10)  # never below the other side
    assert teacher.inner_state()["low"] == [0.0]
    assert teacher.inner_state()["high"] == pytest.approx([0.0])


def test_only_pinned_episodes_on_a_current_edge_count() -> None:
    teacher = adr(start=[1.0])
    first, second = teacher.sample_task(), teacher.sample_task()  # both pinned at 1.0
    teacher.update(first, 1.0)
    teacher.update(np.array([0.5]), 1.0)  # never proposed: ignored
    teacher.update(second, 1.0)  # the queue is full: low moves to 0.9
    stale = teacher.sample_task()  # pinned at 0.9
    teacher.update(teacher.sample_task(), 1.0)
    teacher.update(teacher.sample_task(), 1.0)  # low moves to 0.8: the pin of `stale` is old
    teacher.update(stale, 1.0)
    assert teacher.inner_state()["low"] == pytest.approx([0.8])
    assert teacher.queues[0][0] == []


def test_uniform_episodes_never_move_the_box() -> None:
    teacher = adr(TaskSpace({"x": (0.0, 1.0), "y": (-1.0, 1.0)}), boundary_prob=0.0)
    play(teacher, [1.0] * 50)
    assert teacher.moves == 0
    assert teacher.inner_state()["low"] == teacher.inner_state()["high"]


def test_thresholds_are_required_and_ordered() -> None:
    with pytest.raises(ConfigError, match=r"^adr: low_threshold and high_threshold are required"):
        make_teacher("adr", LINE, high_threshold=1.0)
    with pytest.raises(ConfigError, match="low_threshold must be < high_threshold"):
        make_teacher("adr", LINE, low_threshold=1.0, high_threshold=1.0)


def test_the_teachmyagent_preset_and_a_random_start_are_recorded() -> None:
    teacher = make_teacher("adr", LINE, seed=3, low_threshold=0.0, high_threshold=180.0)
    assert (teacher.boundary_prob, teacher.step_size, teacher.queue_length) == (0.7, 0.1, 10)
    start = teacher.resolved_params["start"]
    assert teacher.inner_state()["low"] == start == teacher.inner_state()["high"]
    assert start != make_teacher("adr", LINE, seed=4, **teacher.example_params).bounds[0].tolist()


EPISODES = 20_000
TOY_THRESHOLDS = {"low_threshold": 0.0, "high_threshold": 0.75}
"""The toy bench's expert knowledge: a cell is mastered at competence 0.75, and an unlearnable
one returns 0."""


def test_on_the_toy_bench_adr_from_the_origin_beats_random_and_from_a_random_start_does_not():
    """ADR needs a start where the student can learn: from the origin cell (high expert
    knowledge) its box follows the competence outward; from a random point, nothing there is
    learnable (the toy's competence spreads from the origin only), every pinned return is 0,
    and the box never grows (figures: ``results/perf/2026-12-04-adr-spdl-toy.md``)."""
    random = [run_toy("random", episodes=EPISODES, seed=s).mastered[EPISODES] for s in range(3)]
    origin = run_toy("adr", episodes=EPISODES, seed=0, start=[0.0, 0.0], **TOY_THRESHOLDS)
    anywhere = run_toy("adr", episodes=EPISODES, seed=0, **TOY_THRESHOLDS)
    assert np.mean(random) > 0
    assert origin.mastered[EPISODES] >= 5 * np.mean(random)
    assert anywhere.mastered[EPISODES] < np.mean(random)
