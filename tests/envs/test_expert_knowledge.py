"""Every env's expert knowledge: consistent with its mastery threshold and task space, and
TeachMyAgent's values on Stump Tracks."""

import gymnasium as gym
import numpy as np
import pytest

from aclbench.envs import ENVS, expert_knowledge_of, make_env, task_env
from aclbench.task_space import TaskSpace

BUILT_IN = [name for name in ENVS.names() if ENVS.get(name).gym_id.startswith("aclbench/")]


@pytest.mark.parametrize("name", BUILT_IN)
def test_knowledge_agrees_with_the_env(name):
    env = make_env(name)
    try:
        inner = task_env(env)
        knowledge = expert_knowledge_of(inner)
        assert knowledge.level == "high"
        assert knowledge.mastery_threshold == inner.mastered_threshold
        low, high = knowledge.return_range
        assert low <= knowledge.mastery_threshold <= high
        t_low, t_high = knowledge.return_thresholds
        assert low <= t_low < t_high <= high
        if name == "maze":
            assert knowledge.initial is None  # a level is no point of a Gaussian
            return
        assert len(knowledge.initial.mean) == len(inner.task_space)
        assert inner.task_space.contains(np.array(knowledge.initial.mean))
    finally:
        env.close()


def test_stump_tracks_knowledge_is_teachmyagents_and_follows_the_space():
    knowledge = expert_knowledge_of(task_env(make_env("stump-tracks", stump_height=(0.0, 9.0))))
    assert knowledge.mastery_threshold == 230.0
    assert knowledge.return_thresholds == (0.0, 180.0)
    assert knowledge.initial.mean == (0.0, 6.0)
    np.testing.assert_allclose(knowledge.initial.std, (0.9, 0.6))  # 10% of [0, 9] and [0, 6]


class _PluginEnv(gym.Env):
    """An env without expert_knowledge(): it tells its mastery threshold only."""

    mastered_threshold = 3.0
    task_space = TaskSpace({"x": (0.0, 1.0)})

    def test_tasks(self):
        return np.zeros((1, 1))


def test_an_env_without_a_definition_tells_its_mastery_only():
    knowledge = expert_knowledge_of(_PluginEnv())
    assert (knowledge.level, knowledge.mastery_threshold) == ("low", 3.0)
    assert knowledge.return_range is None and knowledge.initial is None
