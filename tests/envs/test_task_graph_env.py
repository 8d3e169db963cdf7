"""The simulated task-graph student: learning gated by the graph, unlearnable tasks, forgetting."""

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from aclbench import envs
from aclbench.envs.core import TaskEnv, task_env
from aclbench.envs.task_graph import TaskGraphEnv
from aclbench.errors import ConfigError
from aclbench.task_graph import TaskGraph


def _play(env: TaskGraphEnv, task: int) -> float:
    env.reset(options={"task": [task]})
    return env.step(0)[1]


def test_registered_and_follows_the_protocol() -> None:
    env = envs.make_env("task-graph")
    check_env(env.unwrapped)
    inner = task_env(env)
    assert isinstance(inner, TaskEnv)
    assert inner.test_tasks().tolist() == [[i] for i in range(8)]
    assert inner.task_space.names == ("task",) and inner.mastered_threshold == 0.75


def test_default_is_a_chain_with_two_unlearnable_tasks() -> None:
    env = TaskGraphEnv()
    assert env.graph.to_spec() == {1: [0], 2: [1], 3: [2], 4: [3], 5: [4]}
    assert np.flatnonzero(env.unlearnable).tolist() == [6, 7]
    assert TaskGraphEnv(graph=env.graph).graph == env.graph


def test_a_task_learns_only_once_its_predecessors_are_mastered() -> None:
    env = TaskGraphEnv(
        n_tasks=3, graph={2: [0, 1]}, unlearnable=(), learning_rate=0.25, mastered_threshold=0.5
    )
    env.reset(seed=0)
    assert [_play(env, 2) for _ in range(2)] == [0.0, 0.0]
    assert [_play(env, 0) for _ in range(3)] == [0.25, 0.5, 0.75]  # mastered above 0.5
    assert _play(env, 2) == 0.0  # task 1 is not mastered yet
    for _ in range(3):
        _play(env, 1)
    assert env.mastered().tolist() == [True, True, False]
    assert [_play(env, 2) for _ in range(5)] == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert env.competence_of([2]) == 1.0 and env.competence_of(np.array([1.0])) == 0.75


def test_unlearnable_tasks_never_improve() -> None:
    env = TaskGraphEnv(n_tasks=2, graph={}, unlearnable=(1,))
    env.reset(seed=0)
    assert max(_play(env, 1) for _ in range(100)) == 0.0
    assert _play(env, 0) == 0.02


def test_forgetting_decays_the_tasks_not_played() -> None:
    env = TaskGraphEnv(
        n_tasks=2, graph={}, unlearnable=(), learning_rate=0.5, forgetting=True, forget_rate=0.1
    )
    env.reset(seed=0)
    _play(env, 0), _play(env, 0)
    assert env.competence.tolist() == [1.0, 0.0]
    _play(env, 1)
    assert env.competence.tolist() == pytest.approx([0.9, 0.5])
    no_forgetting = TaskGraphEnv(n_tasks=2, graph={}, unlearnable=(), learning_rate=0.5)
    no_forgetting.reset(seed=0)
    _play(no_forgetting, 0), _play(no_forgetting, 1)
    assert no_forgetting.competence.tolist() == [0.5, 0.5]


def test_noise_is_seeded_and_competence_persists_across_resets() -> None:
    def rewards(seed: int) -> list[float]:
        env = TaskGraphEnv(noise=0.1)
        env.reset(seed=seed)
        return [_play(env, 0) for _ in range(5)]

    assert rewards(3) == rewards(3) and rewards(3) != rewards(4)
    assert np.mean(rewards(3)) == pytest.approx(0.06, abs=0.15)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_tasks": 0}, "n_tasks"),
        ({"unlearnable": (9,)}, "unlearnable tasks \\[9\\]"),
        ({"graph": {1: [1]}}, "cycle"),
        ({"graph": {1: [12]}}, "unknown task 12"),
        ({"graph": TaskGraph.build(None, 3)}, "the graph has 3 tasks, n_tasks is 8"),
        ({"learning_rate": 2.0}, "learning_rate"),
        ({"mastered_threshold": 1.0}, "mastered_threshold"),
    ],
)
def test_bad_options_are_named(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        TaskGraphEnv(**kwargs)


def test_trivial_tasks_are_mastered_from_the_start_and_never_forgotten() -> None:
    env = TaskGraphEnv(
        n_tasks=4, graph={1: [3]}, unlearnable=[2], trivial=[3], forgetting=True, forget_rate=0.5
    )
    env.reset(seed=0)
    assert env.mastered().tolist() == [False, False, False, True]
    assert _play(env, 3) == 1.0 and env.competence_of([3]) == 1.0
    assert _play(env, 1) == pytest.approx(0.02)  # its predecessor, the trivial task, counts
    for _ in range(3):
        _play(env, 0)
    assert env.competence_of([3]) == 1.0 and env.mastered()[3]
    with pytest.raises(ConfigError, match="trivial tasks \\[2\\]"):
        TaskGraphEnv(n_tasks=4, unlearnable=[2], trivial=[2])
