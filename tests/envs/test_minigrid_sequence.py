"""The MiniGrid task sequence: one Gymnasium env over MiniGrid curricula, task = index."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from stable_baselines3 import PPO

from aclbench import envs
from aclbench.envs.core import task_env
from aclbench.envs.minigrid_sequence import CURRICULA, MiniGridSequenceEnv
from aclbench.errors import UnknownNameError
from aclbench.teachers import Teacher, make_teacher


@pytest.mark.parametrize("curriculum", CURRICULA.names())
def test_passes_check_env_with_one_space_for_all_tasks(curriculum: str) -> None:
    env = envs.make_env("minigrid-sequence", curriculum=curriculum)
    check_env(env.unwrapped)
    inner = task_env(env)
    assert inner.graph.n == len(inner.task_names) == inner.task_space.dims[0].n
    for task in inner.test_tasks():
        obs, info = env.reset(seed=0, options={"task": task})
        assert obs.shape == (7, 7, 3) and obs.dtype == np.uint8
        assert env.observation_space.contains(obs) and info["task"].tolist() == task.tolist()
        assert inner.mastered_threshold == 0.5
    env.close()


def test_the_task_picks_the_minigrid_env() -> None:
    env = MiniGridSequenceEnv()
    assert env.task_names == ["Unlock", "UnlockPickup", "BlockedUnlockPickup"]
    assert env.graph.to_spec() == {1: [0], 2: [1]}
    missions = [env.reset(seed=0, options={"task": [i]})[1]["mission"] for i in range(3)]
    assert missions[0] == "open the door" and "pick up" in missions[2]
    assert type(env.current).__name__ == "BlockedUnlockPickupEnv"


def test_same_seed_and_task_give_the_same_episode() -> None:
    def episode(seed: int, task: int) -> tuple[list, list]:
        env = MiniGridSequenceEnv(max_steps=20)
        obs, _ = env.reset(seed=seed, options={"task": [task]})
        frames, rewards = [obs], []
        actions = np.random.default_rng(0).integers(7, size=20)
        for action in actions:
            obs, reward, terminated, truncated, _ = env.step(action)
            frames.append(obs)
            rewards.append(reward)
            if terminated or truncated:
                break
        return [f.tolist() for f in frames], rewards

    assert episode(5, 1) == episode(5, 1)
    assert episode(5, 1) != episode(6, 1)
    assert episode(5, 1)[0][0] != episode(5, 2)[0][0]


def test_unseeded_resets_draw_new_layouts_from_the_env_generator() -> None:
    env = MiniGridSequenceEnv()
    env.reset(seed=3, options={"task": [2]})
    assert env.current.np_random is env.np_random  # the MiniGrid env is not reseeded
    starts = {env.reset(options={"task": [2]})[0].tobytes() for _ in range(5)}
    assert len(starts) > 1


def test_max_steps_truncates_every_task() -> None:
    env = MiniGridSequenceEnv(curriculum="key-corridor", max_steps=3)
    env.reset(seed=0, options={"task": [5]})
    ends = [env.step(6)[3] for _ in range(3)]  # action 6: done, does nothing
    assert ends == [False, False, True]


def test_unknown_curriculum_suggests_the_closest() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'unlock'"):
        MiniGridSequenceEnv(curriculum="unlok")


class _TeacherPicksTasks(gym.Wrapper):
    """Asks the teacher for each episode's task and feeds the episode's return back."""

    def __init__(self, env: gym.Env, teacher: Teacher) -> None:
        super().__init__(env)
        self.teacher, self.task, self.episode_return = teacher, None, 0.0

    def reset(self, *, seed=None, options=None):
        self.task, self.episode_return = self.teacher.sample_task(), 0.0
        return self.env.reset(seed=seed, options={"task": self.task})

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.episode_return += reward
        if terminated or truncated:
            self.teacher.update(self.task, self.episode_return)
        return obs, reward, terminated, truncated, info


@pytest.fixture(scope="module")
def ppo() -> PPO:
    """One small PPO model, shared by the smoke runs below (building one costs seconds)."""
    env = MiniGridSequenceEnv(max_steps=16)
    return PPO(
        "MlpPolicy",
        _TeacherPicksTasks(env, make_teacher("random", env.task_space, seed=0)),
        n_steps=64,
        batch_size=64,
        n_epochs=1,
        policy_kwargs={"normalize_images": False, "net_arch": [32]},
        seed=0,
        device="cpu",
    )


@pytest.mark.parametrize("teacher_name", ["tscl", "exp3", "exp3s", "sec", "mastering-rate"])
def test_short_ppo_run_with_each_task_set_teacher(ppo: PPO, teacher_name: str) -> None:
    """Smoke: SB3 PPO trains 256 steps on the MiniGrid sequence, tasks chosen by the teacher."""
    base = MiniGridSequenceEnv(max_steps=16)
    params = {"graph": base.graph, "max_returns": 0.5} if teacher_name == "mastering-rate" else {}
    teacher = make_teacher(teacher_name, base.task_space, seed=0, **params)
    ppo.set_env(_TeacherPicksTasks(base, teacher))
    ppo.learn(total_timesteps=256)
    assert teacher.episodes >= 256 // 16
    assert all(base.task_space.contains(teacher.sample_task()) for _ in range(5))
