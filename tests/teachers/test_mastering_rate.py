"""Mastering Rate (Willems et al. 2020): attention computed by hand on a 3-task chain."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_graph import TaskGraph
from aclbench.task_space import TaskSpace
from aclbench.teachers.mastering_rate import MasteringRateTeacher

CHAIN = {1: [0], 2: [1]}


def _fed(**params: object) -> MasteringRateTeacher:
    teacher = MasteringRateTeacher(TaskSpace({"task": 3}), seed=0, graph=CHAIN, **params)
    for task, value in ((0, 1.0), (0, 1.0), (1, 0.0), (1, 0.5)):  # at times 0, 1, 2, 3
        teacher.update([task], value)
    return teacher


def test_attention_by_hand() -> None:
    teacher = _fed(window=2, power=2.0)
    # Mast = [1, 0.25, 0]; |LP| = [0, 0.5, 0] -> na_lp = [0, 1, 0]
    np.testing.assert_allclose(teacher.mastering_rates(), [1.0, 0.25, 0.0])
    # anc = [1, 1, 0.25], succ = [0.25, 0, 0], learning = [0, 0.875, 0.5]
    # pre-attention = anc^2 * learning * (1 - succ) = [0, 0.875, 0.03125]
    # task 2 gives 0.2 to task 1; task 1 gives 0.2 to task 0 then 0.05 to task 2;
    # task 0 gives 0.05 to task 1
    np.testing.assert_allclose(teacher.attention(), [0.1674375, 0.6785625, 0.06025])
    assert teacher.attention().sum() == pytest.approx(0.875 + 0.03125)


def test_the_frontier_task_is_sampled_most() -> None:
    teacher = _fed(window=2, power=2.0)
    picks = np.bincount([int(teacher.sample_task()[0]) for _ in range(3000)], minlength=3)
    np.testing.assert_allclose(
        picks / 3000, np.array([0.1674375, 0.6785625, 0.06025]) / 0.90625, atol=0.03
    )


def test_bounds_widen_to_window_means() -> None:
    teacher = MasteringRateTeacher(TaskSpace({"task": 2}), seed=0, max_returns=0.5, window=2)
    teacher.update([0], 0.8)
    assert teacher.max_returns[0] == 0.5  # the window is not full yet
    teacher.update([0], 0.6)
    assert teacher.max_returns[0] == pytest.approx(0.7)
    teacher.update([1], -1.0)
    teacher.update([1], -3.0)
    assert teacher.min_returns[1] == -2.0 and teacher.mastering_rates()[1] == 0.0


def test_graph_by_task_names_and_as_a_task_graph() -> None:
    space = TaskSpace({"task": 3})
    by_name = MasteringRateTeacher(
        space, graph={"b": ["a"], "c": ["b"]}, task_names=["a", "b", "c"]
    )
    assert by_name.graph == TaskGraph.build(CHAIN, 3)
    given = MasteringRateTeacher(space, graph=TaskGraph.build(CHAIN, 3))
    assert given.graph == by_name.graph
    assert MasteringRateTeacher(space).graph.to_spec() == {}  # default: independent tasks


@pytest.mark.parametrize(
    "params, match",
    [
        ({"graph": {0: [1], 1: [0]}}, "cycle: "),
        ({"graph": {1: ["Unlock"]}}, "unknown task 'Unlock'"),
        ({"graph": {7: [0]}}, "unknown task 7"),
        ({"graph": TaskGraph.build(None, 4)}, "4 tasks, the task space has 3 arms"),
        ({"task_names": ["a"]}, "1 names for 3 tasks"),
        ({"min_returns": 1.0, "max_returns": 1.0}, "max_returns must exceed"),
        ({"max_returns": [1.0, 2.0]}, "one finite number or 3"),
        ({"window": 1}, "window"),
        ({"pred_attention": 1.5}, "pred_attention"),
    ],
)
def test_bad_configuration_is_named(params: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        MasteringRateTeacher(TaskSpace({"task": 3}), **params)
