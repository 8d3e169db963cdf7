"""The task-set teachers on what they are for, against ``random`` (5 seeds each).

The student is the simulated task-graph env: a task's competence grows when it is played only
once its predecessors are mastered. Noise of 0.02 on every return keeps the learning-progress
estimates honest. Figures at the time of writing (mean over seeds 0-4) are in the docstrings.
"""

from functools import cache

import numpy as np
import pytest

from aclbench.envs.task_graph import TaskGraphEnv
from aclbench.envs.toy import ToyEnv
from aclbench.teachers import make_teacher

SEEDS = range(5)
NOISE = 0.02


def _play(name: str, seed: int, budget: int, env_kwargs: dict, graph: bool, **params) -> tuple:
    """Train the simulated student for up to ``budget`` episodes; stop when all learnable tasks
    are mastered. Returns (tasks mastered, episodes played)."""
    env = TaskGraphEnv(noise=NOISE, **env_kwargs)
    env.reset(seed=seed)
    if graph:
        params = {"graph": env.graph.to_spec(), "max_returns": env.mastered_threshold, **params}
    teacher = make_teacher(name, env.task_space, seed=seed, **params)
    learnable = ~env.unlearnable
    played = 0
    while played < budget and not env.mastered()[learnable].all():
        task = teacher.sample_task()
        env.reset(options={"task": task})
        teacher.update(task, env.step(0)[1])
        played += 1
    return int(env.mastered().sum()), played


@cache
def _mean_mastered(name: str, graph: bool = False, **params) -> float:
    """Default env (chain of 6, 2 unlearnable tasks), 1000 episodes."""
    return float(np.mean([_play(name, s, 1000, {}, graph, **params)[0] for s in SEEDS]))


@cache
def _mean_episodes_for_chain(name: str, graph: bool = False, **params) -> float:
    """Chain of 6 learnable tasks: episodes until all are mastered (at most 4000)."""
    runs = [_play(name, s, 4000, {"n_tasks": 6, "unlearnable": ()}, graph, **params) for s in SEEDS]
    assert all(mastered == 6 for mastered, _ in runs), (name, runs)
    return float(np.mean([episodes for _, episodes in runs]))


def test_mastering_rate_masters_the_chain_in_fewer_episodes() -> None:
    """About 360 episodes for mastering-rate, 720 for tscl Window, 1410 for random."""
    mastering = _mean_episodes_for_chain("mastering-rate", graph=True)
    window = _mean_episodes_for_chain("tscl", variant="window")
    uniform = _mean_episodes_for_chain("random")
    assert mastering < window < uniform
    assert mastering < 0.75 * window, (mastering, window)


@pytest.mark.parametrize(
    "name, graph, params",
    [
        ("tscl", False, {"variant": "window"}),
        ("tscl", False, {"variant": "window", "policy": "boltzmann"}),
        ("tscl", False, {"variant": "online"}),
        ("tscl", False, {"variant": "sampling"}),
        ("exp3s", False, {}),
        ("sec", False, {}),
        ("mastering-rate", True, {}),
        ("mastering-rate", False, {}),
    ],
)
def test_masters_more_tasks_than_random_at_a_fixed_budget(
    name: str, graph: bool, params: dict
) -> None:
    """After 1000 episodes random masters 3 of the 6 learnable tasks; the others 4.8 to 6.

    Left out, as they do not beat random on this chain (reasons and figures in their module
    docstrings): ``tscl`` Naive (2.6 tasks: one choice per 10 episodes, a mastered task's value
    decays per block) and plain ``exp3`` (3.0: no weight sharing, so it stays on the first arm
    that progressed). Each beats random on the task set it is built for: see below.
    """
    ours = _mean_mastered(name, graph, **params)
    assert ours >= _mean_mastered("random") + 1.0, (name, params, ours)


@pytest.mark.parametrize(
    "name, params, env_kwargs, budget",
    [
        # Naive TSCL updates once per 10-episode block: it pays off when tasks take long to learn
        # (a 4x slower chain). 5.6 tasks against random's 3.0 (3.0 against 3.0 on the default).
        ("tscl", {"variant": "naive"}, {"learning_rate": 0.005}, 4000),
        # EXP3 finds the best fixed arms: 2 independent learnable tasks among 8. 1.8 tasks
        # against random's 1.2 (10 seeds: 1.9 and 1.0); EXP3 masters both in about 150 episodes.
        ("exp3", {}, {"graph": {}, "unlearnable": list(range(2, 8))}, 300),
    ],
    ids=["tscl-naive-slow-chain", "exp3-few-learnable-arms"],
)
def test_masters_more_tasks_than_random_on_the_task_set_it_is_for(
    name: str, params: dict, env_kwargs: dict, budget: int
) -> None:
    def mean_mastered(teacher: str, **teacher_params: object) -> float:
        runs = [_play(teacher, s, budget, env_kwargs, False, **teacher_params) for s in SEEDS]
        return float(np.mean([mastered for mastered, _ in runs]))

    ours, uniform = mean_mastered(name, **params), mean_mastered("random")
    assert ours >= uniform + 0.5, (name, ours, uniform)


def test_weight_sharing_is_what_lets_exp3s_follow_the_curriculum() -> None:
    """Plain EXP3 (about 3 tasks) does no better than random (3): the arm that progressed is
    stuck with a high weight once mastered, and the next one, pushed down while locked, is
    rarely drawn. EXP3.S's sharing (6 tasks) keeps every arm within reach."""
    assert _mean_mastered("exp3s") >= _mean_mastered("exp3") + 2.0


def test_arm_teachers_beat_random_on_a_continuous_space() -> None:
    """The adapter: on the 2-D toy bench (5 x 5 cells), a 5 x 5 grid of arms for tscl."""

    def mastered(name: str, seed: int, **params: object) -> float:
        env = ToyEnv(n_dims=2, cells_per_dim=5)
        env.reset(seed=seed)
        teacher = make_teacher(name, env.task_space, seed=seed, **params)
        for _ in range(2000):
            task = teacher.sample_task()
            env.reset(options={"task": task})
            teacher.update(task, env.step(0)[1])
        return env.mastered_fraction()

    uniform = np.mean([mastered("random", s) for s in range(2)])
    tscl = np.mean([mastered("tscl", s, bins=5) for s in range(2)])
    assert tscl > uniform + 0.3, (tscl, uniform)
