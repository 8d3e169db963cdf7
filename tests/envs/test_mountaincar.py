"""``mountaincar``: the task sets engine power and goal; return > 0 means the goal was reached."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench import envs
from aclbench.envs.controllers import episode_return, mountaincar_force
from aclbench.harness.cli import main as aclbench

EASY, STOCK = (0.0028, 0.1), (0.0015, 0.45)
UNLEARNABLE = (0.0002, 0.5)  # below the wall bound: 0.0002 * 1.7 < V(0.5) - V(-1.2)


@pytest.fixture
def env():
    env = envs.make_env("mountaincar")
    yield env
    env.close()


def test_registered_with_its_task_dimensions():
    entry = envs.ENVS.get("mountaincar")
    assert entry.gym_id == "aclbench/MountainCar-v0"
    made = entry.make()
    space = envs.task_env(made).task_space
    assert space.names == ("power", "goal_position")
    assert space.low.tolist() == [0.0, -0.2] and space.high.tolist() == [0.003, 0.6]
    assert made.spec.max_episode_steps == 999


def test_task_sets_physics_not_spaces(env):
    spaces = (env.observation_space, env.action_space)
    _, info = env.reset(seed=0, options={"task": {"power": 0.001, "goal_position": 0.3}})
    assert (env.unwrapped.power, env.unwrapped.goal_position) == (0.001, 0.3)
    assert info["task"].tolist() == [0.001, 0.3]
    assert (env.observation_space, env.action_space) == spaces


def test_engine_power_scales_the_push(env):
    """One full-throttle step from the same start changes the speed by exactly the power."""
    speeds = []
    for power in (0.0, 0.001, 0.002):
        env.reset(seed=4, options={"task": (power, 0.45)})
        speeds.append(float(env.step(np.ones(1, np.float32))[0][1]))
    assert speeds[1] - speeds[0] == pytest.approx(0.001, abs=1e-7)
    assert speeds[2] - speeds[0] == pytest.approx(0.002, abs=1e-7)


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ((0.004, 0.45), r"'power' = 0.004 is outside its bounds \[0, 0.003\]"),
        ((0.001, 0.7), r"'goal_position' = 0.7 is outside its bounds \[-0.2, 0.6\]"),
    ],
)
def test_invalid_task_names_dimension_and_bounds(env, task, message):
    with pytest.raises(ValueError, match=message):
        env.reset(seed=0, options={"task": task})


def test_test_set_is_a_fixed_grid_inside_the_space(env):
    tasks = env.unwrapped.test_tasks()
    assert tasks.shape == (36, 2)
    assert np.array_equal(tasks, env.unwrapped.test_tasks())
    assert all(env.unwrapped.task_space.contains(t) for t in tasks)


def test_positive_return_means_goal_reached(env):
    """The threshold 0 separates reaching the goal from not, even at full throttle all along."""
    for task in (EASY, STOCK, UNLEARNABLE):
        obs, _ = env.reset(seed=1, options={"task": task})
        total, reached, done = 0.0, False, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(mountaincar_force(env.unwrapped, obs))
            total += float(reward)
            reached |= terminated
            done = terminated or truncated
        assert (total > env.unwrapped.mastered_threshold) == reached


def test_controller_reaches_easy_and_stock_goals_but_not_unlearnable(env):
    for task in (EASY, STOCK):
        assert all(episode_return(env, mountaincar_force, task, s) > 0 for s in range(3))
    # Pumping at full throttle for all 999 steps is still too weak for the crest.
    assert all(episode_return(env, mountaincar_force, UNLEARNABLE, s) <= 0 for s in range(3))


def test_pushing_right_masters_easy_tasks_but_not_the_stock_one(env):
    """Above power 0.0025 the engine beats the steepest slope; below, the car must swing."""

    def push(e, o):
        return np.ones(1, np.float32)

    for task in (EASY, (0.0025, 0.6), (0.003, -0.2)):
        assert all(episode_return(env, push, task, s) > 0 for s in range(3))
    assert all(episode_return(env, push, STOCK, s) <= 0 for s in range(3))


def test_idle_policy_never_reaches_the_goal(env):
    idle = [episode_return(env, lambda e, o: np.zeros(1, np.float32), EASY, s) for s in range(3)]
    assert max(idle) <= 0


def test_listed_by_the_cli_with_its_bounds(capsys):
    assert aclbench(["list", "envs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if line.startswith("mountaincar ")]
    assert len(listed) == 1
    assert "power: [0, 0.003], goal_position: [-0.2, 0.6]" in listed[0]
