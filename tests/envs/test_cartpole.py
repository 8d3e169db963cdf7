"""``cartpole``: the task sets the physics; the ranges hold easy, hard and unlearnable tasks."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from aclbench import envs
from aclbench.envs.controllers import cartpole_action, episode_return
from aclbench.harness.cli import main as aclbench

EASY, HARD, UNLEARNABLE = (0.5, 0.1, 10.0), (0.03, 0.1, 20.0), (0.05, 0.1, 50.0)


@pytest.fixture
def env():
    env = envs.make_env("cartpole")
    yield env
    env.close()


def test_registered_with_its_task_dimensions():
    entry = envs.ENVS.get("cartpole")
    made = entry.make()
    space = envs.task_env(made).task_space
    assert space.names == ("pole_length", "pole_mass", "force_mag")
    assert space.low.tolist() == [0.02, 0.05, 1.0]
    assert space.high.tolist() == [0.5, 1.0, 100.0]
    assert made.spec.max_episode_steps == 500


def test_task_sets_physics_not_spaces(env):
    spaces = (env.observation_space, env.action_space)
    _, info = env.reset(seed=0, options={"task": (0.25, 0.5, 40.0)})
    inner = env.unwrapped
    assert (inner.length, inner.masspole, inner.force_mag) == (0.25, 0.5, 40.0)
    assert inner.total_mass == 1.5 and inner.polemass_length == 0.125
    assert info["task"].tolist() == [0.25, 0.5, 40.0]
    assert (env.observation_space, env.action_space) == spaces


def test_invalid_task_names_dimension_and_bounds(env):
    with pytest.raises(ValueError, match=r"'force_mag' = 150.0 is outside its bounds \[1, 100\]"):
        env.reset(seed=0, options={"task": (0.5, 0.1, 150.0)})


def test_test_set_is_a_fixed_grid_inside_the_space(env):
    tasks = env.unwrapped.test_tasks()
    assert tasks.shape == (64, 3)
    assert np.array_equal(tasks, env.unwrapped.test_tasks())
    assert all(env.unwrapped.task_space.contains(t) for t in tasks)


def test_controller_balances_easy_task(env):
    assert all(episode_return(env, cartpole_action, EASY, s) > 475 for s in range(2))


def test_some_starts_of_a_hard_task_are_balanced(env):
    returns = [episode_return(env, cartpole_action, HARD, s) for s in range(5)]
    assert max(returns) > 475 and min(returns) < 475


def test_observations_stay_in_the_space_on_the_hardest_corners(env):
    """The shortest, most strongly pushed poles turn by over a radian in their last step."""
    space = env.unwrapped.task_space
    corners = [(space.low[0], mass, space.high[2]) for mass in (space.low[1], space.high[1])]
    for task, actions in itertools.product(corners, itertools.product((0, 1), repeat=3)):
        obs, _ = env.reset(seed=0, options={"task": task})
        for action in actions:
            obs, _, terminated, _, _ = env.step(action)
            assert env.observation_space.contains(obs), (task, actions, obs)
            if terminated:
                break
    assert abs(obs[2]) > 1.0  # far beyond the stock bound of 0.42 rad


@pytest.mark.parametrize("first_two", list(itertools.product((0, 1), repeat=2)))
def test_unlearnable_task_ends_after_two_steps_whatever_the_pushes(env, first_two):
    """A 50 N push on a 5 cm pole tips it past 12 degrees by the second step either way."""
    env.reset(seed=3, options={"task": UNLEARNABLE})
    terminated = [env.step(action)[2] for action in first_two]
    assert terminated[-1] or terminated[0]


def test_random_policy_does_not_master_an_easy_task(env):
    env.action_space.seed(0)
    returns = [
        episode_return(env, lambda e, o: env.action_space.sample(), EASY, s) for s in range(5)
    ]
    assert max(returns) < env.unwrapped.mastered_threshold


def test_listed_by_the_cli_with_its_bounds(capsys):
    assert aclbench(["list", "envs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if line.startswith("cartpole ")]
    assert len(listed) == 1
    assert "pole_length: [0.02, 0.5], pole_mass: [0.05, 1], force_mag: [1, 100]" in listed[0]
