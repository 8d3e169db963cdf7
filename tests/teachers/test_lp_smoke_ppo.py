"""Smoke: a short PPO curriculum run on Stump Tracks completes with every learning-progress teacher.

Stable-Baselines3's PPO directly (the students package wires teachers the same way). Episodes
are cut at 40 steps and the teachers get small refit and split sizes, so that their fitted paths
run within 512 steps; returns are scaled with the paper's Stump Tracks bounds (-150, 350).
"""

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import DummyVecEnv

from aclbench.envs import make_env
from aclbench.teachers import Teacher, make_teacher

BOUNDS = {"return_bounds": (-150.0, 350.0)}
SMALL = {
    "random": {},
    "alp-gmm": {"fit_rate": 4, "k_range": (2, 3), **BOUNDS},
    "covar-gmm": {"fit_rate": 4, "k_range": (2, 3), **BOUNDS},
    "riac": {"max_region_size": 4, **BOUNDS},
    "easy-to-hard": {"episodes_to_full": 10},
}


class TeacherTasks(gym.Wrapper):
    """Asks the teacher for a task at every reset and reports each episode's return."""

    def __init__(self, env: gym.Env, teacher: Teacher) -> None:
        super().__init__(env)
        self.teacher = teacher
        self.tasks: list[np.ndarray] = []

    def reset(self, *, seed=None, options=None):
        self.tasks.append(self.teacher.sample_task())
        self.episode_return = 0.0
        return self.env.reset(seed=seed, options={"task": self.tasks[-1]})

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.episode_return += float(reward)
        if terminated or truncated:
            self.teacher.update(self.tasks[-1], self.episode_return)
        return obs, reward, terminated, truncated, info


@pytest.mark.parametrize("name", SMALL)
def test_ppo_curriculum_run_completes(name):
    env = make_env("stump-tracks", max_episode_steps=40)
    space = env.unwrapped.task_space
    teacher = make_teacher(name, space, seed=0, **SMALL[name])
    wrapped = TeacherTasks(env, teacher)
    model = PPO(
        "MlpPolicy",
        DummyVecEnv([lambda: wrapped]),
        n_steps=128,
        batch_size=128,
        n_epochs=1,
        policy_kwargs={"net_arch": [16]},
        seed=0,
        device="cpu",
    )
    model.learn(total_timesteps=512)
    assert teacher.episodes >= 12
    assert all(space.contains(task) for task in wrapped.tasks)
    if name in ("alp-gmm", "covar-gmm"):
        assert teacher.inner_state()["gaussians"]
    if name == "riac":
        assert len(teacher.inner_state()["regions"]) > 1
