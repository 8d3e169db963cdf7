"""Task graphs: parsing, derived relations and the errors users see."""

import pytest

from aclbench.errors import ConfigError
from aclbench.task_graph import TaskGraph


def test_relations_of_a_small_dag() -> None:
    # 0 -> 1 -> 3, 0 -> 2 -> 3, 4 alone
    graph = TaskGraph.build({1: [0], 2: [0], 3: [1, 2]}, 5)
    assert graph.predecessors == ((), (0,), (0,), (1, 2), ())
    assert graph.successors == ((1, 2), (3,), (3,), (), ())
    assert graph.ancestors == ((), (0,), (0,), (0, 1, 2), ())
    position = {task: i for i, task in enumerate(graph.order)}
    assert all(position[p] < position[t] for t in range(5) for p in graph.predecessors[t])


def test_tasks_by_name_or_string_index() -> None:
    names = ["Unlock", "UnlockPickup", "Blocked"]
    graph = TaskGraph.build({"UnlockPickup": ["Unlock"], "2": ["1"]}, 3, names)
    assert graph.to_spec() == {1: [0], 2: [1]}
    assert TaskGraph.chain([0, 1, 2], 3) == graph


def test_none_means_independent_tasks() -> None:
    graph = TaskGraph.build(None, 3)
    assert graph.predecessors == ((), (), ()) and graph.to_spec() == {}


def test_cycle_is_named() -> None:
    with pytest.raises(ConfigError, match=r"cycle: .*a -> b|cycle: .*b -> a"):
        TaskGraph.build({"a": ["b"], "b": ["a"]}, 2, ["a", "b"])
    with pytest.raises(ConfigError, match="cycle"):
        TaskGraph.build({0: [0]}, 1)


@pytest.mark.parametrize("spec", [{0: [3]}, {5: [0]}, {"nope": [0]}, {0: [-1]}, {True: [0]}])
def test_unknown_task_is_named(spec: dict) -> None:
    with pytest.raises(ConfigError, match="unknown task"):
        TaskGraph.build(spec, 3, ["a", "b", "c"])


def test_predecessors_must_be_a_list() -> None:
    with pytest.raises(ConfigError, match="must be a list"):
        TaskGraph.build({1: 0}, 2)
    with pytest.raises(ConfigError, match="must be a list"):
        TaskGraph.build({1: None}, 2)
    with pytest.raises(ConfigError, match="a task graph is a mapping"):
        TaskGraph.build([[0, 1]], 2)  # type: ignore[arg-type]
