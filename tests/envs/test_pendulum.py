"""``pendulum``: the task sets the physics; easy tasks are solvable, unlearnable ones are not."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench import envs
from aclbench.envs.controllers import episode_return, pendulum_torque
from aclbench.harness.cli import main as aclbench

EASY, STOCK, UNLEARNABLE = (0.75, 0.75, 6.0), (1.0, 1.0, 10.0), (4.0, 2.0, 20.0)


@pytest.fixture
def env():
    env = envs.make_env("pendulum")
    yield env
    env.close()


def test_registered_with_its_task_dimensions():
    entry = envs.ENVS.get("pendulum")
    assert entry.gym_id == "aclbench/Pendulum-v0"
    inner = envs.task_env(entry.make())
    assert inner.task_space.names == ("mass", "length", "gravity")
    assert inner.task_space.low.tolist() == [0.5, 0.5, 2.0]
    assert inner.task_space.high.tolist() == [4.0, 2.0, 20.0]
    assert entry.make().spec.max_episode_steps == 200


def test_task_sets_physics_not_spaces(env):
    obs_space, act_space = env.observation_space, env.action_space
    _, info = env.reset(seed=1, options={"task": {"mass": 2.0, "length": 1.5, "gravity": 4.0}})
    inner = env.unwrapped
    assert (inner.m, inner.l, inner.g) == (2.0, 1.5, 4.0)
    assert info["task"].tolist() == [2.0, 1.5, 4.0]
    assert env.observation_space == obs_space and env.action_space == act_space


def test_default_task_is_drawn_from_the_seed(env):
    first = env.reset(seed=5)[1]["task"]
    assert env.reset(seed=5)[1]["task"].tolist() == first.tolist()
    assert env.unwrapped.task_space.contains(first)
    assert env.reset(seed=6)[1]["task"].tolist() != first.tolist()


def test_info_task_is_a_copy(env):
    task = np.array(STOCK)
    _, info = env.reset(seed=0, options={"task": task})
    task[0] = 3.0  # the caller reuses its array: the episode's physics must not change
    assert env.unwrapped.m == 1.0 and info["task"][0] == 1.0
    _, info2 = env.reset(seed=0, options={"task": task})
    assert info2["task"] is not info["task"] and info["task"][0] == 1.0


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ((5.0, 1.0, 10.0), "'mass' = 5.0 is outside its bounds [0.5, 4]"),
        ((1.0, 0.1, 10.0), "'length' = 0.1 is outside its bounds [0.5, 2]"),
        ((1.0, 1.0, float("nan")), "'gravity' = nan is outside its bounds [2, 20]"),
    ],
)
def test_invalid_task_names_dimension_and_bounds(env, task, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        env.reset(seed=0, options={"task": np.array(task)})


def test_test_set_is_a_fixed_grid_inside_the_space(env):
    tasks = env.unwrapped.test_tasks()
    assert tasks.shape == (64, 3)
    assert np.array_equal(tasks, env.unwrapped.test_tasks())
    assert all(env.unwrapped.task_space.contains(t) for t in tasks)


def test_controller_solves_easy_and_stock_but_not_unlearnable(env):
    threshold = env.unwrapped.mastered_threshold
    for task in (EASY, STOCK):
        assert all(episode_return(env, pendulum_torque, task, s) > threshold for s in range(5))
    # Too heavy and long for the 2 N m torque to pump it up within the episode: only a lucky
    # start, next to upright with enough energy to keep swinging over the top, passes.
    unlearnable = [episode_return(env, pendulum_torque, UNLEARNABLE, s) for s in range(20)]
    assert np.mean(np.array(unlearnable) > threshold) <= 0.1


def test_idle_and_random_policies_do_not_master_an_easy_task(env):
    threshold = env.unwrapped.mastered_threshold
    idle = [episode_return(env, lambda e, o: np.zeros(1, np.float32), EASY, s) for s in range(4)]
    env.action_space.seed(0)
    rand = [episode_return(env, lambda e, o: env.action_space.sample(), EASY, s) for s in range(4)]
    assert max(idle) < threshold and max(rand) < threshold


def test_listed_by_the_cli_with_its_bounds(capsys):
    assert aclbench(["list", "envs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if line.startswith("pendulum ")]
    assert len(listed) == 1
    assert "mass: [0.5, 4], length: [0.5, 2], gravity: [2, 20]" in listed[0]
