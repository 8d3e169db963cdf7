"""``lunarlander``: the task sets gravity, wind and turbulence; strong gravity is unlandable."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench import envs
from aclbench.envs.controllers import LANDER_MAIN_ACCEL, episode_return, lunarlander_action
from aclbench.harness.cli import main as aclbench

EASY, WINDY, UNLEARNABLE = (-8.0, 0.0, 0.0), (-10.0, 15.0, 1.5), (-19.0, 0.0, 0.0)


@pytest.fixture
def env():
    env = envs.make_env("lunarlander")
    yield env
    env.close()


def test_registered_with_its_task_dimensions():
    entry = envs.ENVS.get("lunarlander")
    assert entry.gym_id == "aclbench/LunarLander-v0"
    made = entry.make()
    space = envs.task_env(made).task_space
    assert space.names == ("gravity", "wind_power", "turbulence_power")
    assert space.low.tolist() == [-20.0, 0.0, 0.0]
    assert space.high.tolist() == [-2.0, 20.0, 4.0]
    assert made.spec.max_episode_steps == 1000


def test_task_sets_world_not_spaces(env):
    spaces = (env.observation_space, env.action_space)
    env.reset(seed=0, options={"task": WINDY})
    inner = env.unwrapped
    assert tuple(inner.world.gravity) == pytest.approx((0.0, -10.0))
    assert inner.enable_wind and (inner.wind_power, inner.turbulence_power) == (15.0, 1.5)
    env.reset(seed=0, options={"task": EASY})
    assert tuple(inner.world.gravity) == pytest.approx((0.0, -8.0))
    assert not inner.enable_wind
    assert (env.observation_space, env.action_space) == spaces


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ((-25.0, 0.0, 0.0), r"'gravity' = -25.0 is outside its bounds \[-20, -2\]"),
        ((-10.0, 0.0, 5.0), r"'turbulence_power' = 5.0 is outside its bounds \[0, 4\]"),
    ],
)
def test_invalid_task_names_dimension_and_bounds(env, task, message):
    with pytest.raises(ValueError, match=message):
        env.reset(seed=0, options={"task": task})


def test_test_set_is_a_fixed_grid_inside_the_space(env):
    tasks = env.unwrapped.test_tasks()
    assert tasks.shape == (64, 3)
    assert np.array_equal(tasks, env.unwrapped.test_tasks())
    assert all(env.unwrapped.task_space.contains(t) for t in tasks)


def test_controller_lands_easy_task_but_not_under_strong_gravity(env):
    threshold = env.unwrapped.mastered_threshold
    assert all(episode_return(env, lunarlander_action, EASY, s) > threshold for s in range(3))
    assert all(
        episode_return(env, lunarlander_action, UNLEARNABLE, s) < threshold for s in range(3)
    )


def test_main_engine_cannot_hold_the_lander_against_strong_gravity(env):
    """The physics behind the unlearnable region: at gravity -19 the upright lander keeps
    gaining downward speed at full throttle (the engine gives 18 m/s^2 on average)."""
    assert LANDER_MAIN_ACCEL < 19.0
    for seed in range(3):
        env.reset(seed=seed, options={"task": UNLEARNABLE})
        lander = env.unwrapped.lander
        lander.angle, lander.angularVelocity = 0.0, 0.0
        start = lander.linearVelocity.y
        for _ in range(50):  # one second
            env.step(np.array([1.0, 0.0], dtype=np.float32))
        assert lander.linearVelocity.y < start - 0.5


def test_random_policy_does_not_master_an_easy_task(env):
    env.action_space.seed(0)
    returns = [
        episode_return(env, lambda e, o: env.action_space.sample(), EASY, s) for s in range(3)
    ]
    assert max(returns) < env.unwrapped.mastered_threshold


def test_listed_by_the_cli_with_its_bounds(capsys):
    assert aclbench(["list", "envs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = [line for line in lines if line.startswith("lunarlander ")]
    assert len(listed) == 1
    assert "gravity: [-20, -2], wind_power: [0, 20], turbulence_power: [0, 4]" in listed[0]
