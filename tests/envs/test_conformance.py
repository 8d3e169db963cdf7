"""Every registered aclbench env passes Gymnasium's check_env and is deterministic."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from aclbench import InvalidTaskError, envs
from aclbench.envs import ENVS, task_env


def rollout(env: gym.Env, seed: int, task, steps: int = 30) -> list:
    obs, _ = env.reset(seed=seed, options={"task": task})
    env.action_space.seed(seed)
    trace = [obs]
    for _ in range(steps):
        obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
        trace.append((obs, reward, terminated, truncated))
        if terminated or truncated:
            obs, _ = env.reset(options={"task": task})
            trace.append(obs)
    return trace


def same(a, b) -> bool:
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(np.array_equal(a, b))


@pytest.fixture(params=ENVS.names())
def env(request):
    env = envs.make_env(request.param)
    yield env
    env.close()


def test_passes_gymnasium_check_env(env):
    check_env(env.unwrapped, skip_render_check=True)


def test_follows_the_task_env_protocol(env):
    inner = task_env(env)
    tests = inner.test_tasks()
    assert tests.ndim == 2 and tests.shape[1] == len(inner.task_space)
    assert all(inner.task_space.contains(t) for t in tests)
    np.testing.assert_array_equal(tests, task_env(env).test_tasks())
    assert np.isfinite(inner.mastered_threshold)


def test_same_seed_and_task_give_the_same_episode(env):
    space = task_env(env).task_space
    task = space.sample(np.random.default_rng(0))
    first = rollout(env, seed=3, task=task)
    other = gym.make(env.spec)
    assert all(same(a, b) for a, b in zip(first, rollout(other, seed=3, task=task)))


def test_task_changes_the_world_not_the_spaces(env):
    inner = task_env(env)
    spaces_before = (env.observation_space, env.action_space)
    for task in inner.test_tasks()[:: max(1, len(inner.test_tasks()) // 5)]:
        env.reset(seed=0, options={"task": task})
        np.testing.assert_array_equal(inner.task, task)
        assert (env.observation_space, env.action_space) == spaces_before


def test_default_task_is_seeded(env):
    env.reset(seed=11)
    first = task_env(env).task.copy()
    env.reset(seed=11)
    np.testing.assert_array_equal(first, task_env(env).task)


def test_invalid_task_names_the_dimension(env):
    space = task_env(env).task_space
    bad = space.high.copy()
    bad[0] += 1.0
    with pytest.raises(InvalidTaskError, match=space.names[0]):
        env.reset(options={"task": bad})


def test_the_env_keeps_its_own_copy_of_the_task(env):
    """A caller that reuses its task array (a teacher's buffer) must not change the env's task."""
    inner = task_env(env)
    given = inner.task_space.sample(np.random.default_rng(1))
    _, info = env.reset(seed=0, options={"task": given})
    kept = given.copy()
    given[:] = inner.task_space.low
    given[0] = inner.task_space.high[0]  # differs from ``kept`` on some dimension
    np.testing.assert_array_equal(inner.task, kept)
    np.testing.assert_array_equal(info["task"], kept)


def test_two_tasks_at_reset_give_observably_different_worlds(env):
    """The task must take effect (CARL once ignored its context without a word): the same seed
    and actions on the first and last test task give different observations, rewards or endings."""
    tests = task_env(env).test_tasks()
    assert not np.array_equal(tests[0], tests[-1])
    first = rollout(env, seed=5, task=tests[0], steps=60)
    last = rollout(gym.make(env.spec), seed=5, task=tests[-1], steps=60)
    assert not (len(first) == len(last) and all(same(a, b) for a, b in zip(first, last)))
