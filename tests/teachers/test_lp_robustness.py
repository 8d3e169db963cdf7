"""Learning-progress teachers on awkward input, and their reproducibility mid-run.

``check_teacher`` (tests/teachers/test_conformance.py) already covers bounds, bad returns and a
state round trip on five spaces; here the teachers are driven past several refits and splits
(small ``fit_rate`` and ``max_region_size``) on the inputs that break naive implementations.
"""

import copy
import json
import pickle
import warnings

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.envs.toy import ToyEnv
from aclbench.errors import InvalidReturnError
from aclbench.teachers import make_teacher

FAST = {
    "alp-gmm": {"fit_rate": 40, "k_range": (2, 4)},
    "covar-gmm": {"fit_rate": 40, "k_range": (2, 4)},
    "riac": {"max_region_size": 40},
    "easy-to-hard": {"episodes_to_full": 100},
}
SPACES = {
    "1d": TaskSpace({"x": (-1.0, 1.0)}),
    "6d": TaskSpace({f"x{i}": (0.0, 1.0) for i in range(6)}),
    "mixed": TaskSpace({"size": 3, "gravity": (-20.0, 0.0)}),
    "2d": TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)}),
}


def returns_for(case, space, task, i, rng):
    if case == "constant":
        return 1.0
    if case == "huge":  # finite, but any difference of two overflows
        return 1e308 if i % 2 else -1e308
    unit = space.to_unit(task)
    return float(np.exp(-4 * np.sum((unit - 0.3) ** 2)) * min(i / 80, 1) + 0.01 * rng.random())


CASES = [
    ("1d", "progress"),
    ("6d", "progress"),
    ("mixed", "progress"),
    ("2d", "constant"),
    ("6d", "constant"),
    ("2d", "bounds"),
    ("1d", "bounds"),
    ("2d", "huge"),
]


@pytest.mark.parametrize(("space_name", "case"), CASES)
@pytest.mark.parametrize("name", FAST)
def test_awkward_input_never_crashes(name, space_name, case):
    space = SPACES[space_name]
    teacher = make_teacher(name, space, seed=0, **FAST[name])
    rng = np.random.default_rng(0)
    corners = [space.low, space.high, np.where(np.arange(len(space)) % 2, space.low, space.high)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing leaks from scikit-learn or numpy either
        for i in range(125):  # three refits, several splits
            task = teacher.sample_task()
            assert space.contains(task)
            if case == "bounds":
                task = corners[i % 3]
            teacher.update(task, returns_for(case, space, task, i, rng))
        json.dumps(teacher.inner_state())


@pytest.mark.parametrize("name", FAST)
def test_non_finite_returns_are_refused_without_changing_the_teacher(name):
    space = SPACES["2d"]
    teacher = make_teacher(name, space, seed=0, **FAST[name])
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(InvalidReturnError, match="not finite"):
            teacher.update(space.low, value)
    assert teacher.episodes == 0


def play_toy(teacher, env, episodes):
    tasks = []
    for _ in range(episodes):
        task = teacher.sample_task()
        env.reset(options={"task": task})
        teacher.update(task, env.step(0)[1])
        tasks.append(task)
    return np.array(tasks)


@pytest.mark.parametrize("name", ["alp-gmm", "covar-gmm", "riac"])
def test_same_seed_same_curve_and_state_round_trip_across_refits(name):
    """Default parameters: refits at 250, 500, 750 episodes (RIAC splits every ~200)."""
    env_a, env_b = ToyEnv(), ToyEnv()
    teacher_a = make_teacher(name, env_a.task_space, seed=3)
    teacher_b = make_teacher(name, env_b.task_space, seed=3)
    tasks_a = play_toy(teacher_a, env_a, 600)
    np.testing.assert_array_equal(tasks_a, play_toy(teacher_b, env_b, 600))
    np.testing.assert_array_equal(env_a.competence, env_b.competence)
    other = play_toy(make_teacher(name, ToyEnv().task_space, seed=4), ToyEnv(), 600)
    assert not np.array_equal(tasks_a, other)

    restored = make_teacher(name, env_a.task_space, seed=99)
    restored.load_state_dict(pickle.loads(pickle.dumps(teacher_a.state_dict())))
    env_copy = copy.deepcopy(env_a)
    np.testing.assert_array_equal(
        play_toy(teacher_a, env_a, 300), play_toy(restored, env_copy, 300)
    )
