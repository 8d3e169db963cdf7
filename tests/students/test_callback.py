"""One callback adds a curriculum to any SB3 algorithm's learn(), over several learn() calls."""

from __future__ import annotations

import numpy as np
import pytest
from sb3_contrib import QRDQN, TQC, TRPO, RecurrentPPO
from stable_baselines3 import A2C, DQN, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecMonitor

from aclbench.envs import make_env, task_env
from aclbench.envs.curriculum import Curriculum
from aclbench.students.callback import CurriculumCallback
from aclbench.teachers.base import Capabilities
from tests.students.spies import SpyTeacher, key

CASES = {  # algorithm, env id, keyword arguments that keep a few hundred steps cheap
    "a2c": (A2C, "aclbench/CartPole-v0", {}),
    "ppo": (PPO, "aclbench/CartPole-v0", {"n_steps": 64, "batch_size": 64, "n_epochs": 1}),
    "dqn": (DQN, "aclbench/CartPole-v0", {"learning_starts": 30}),
    "sac": (SAC, "aclbench/Pendulum-v0", {"learning_starts": 30, "batch_size": 32}),
    "td3": (TD3, "aclbench/Pendulum-v0", {"learning_starts": 30, "batch_size": 32}),
    # sb3-contrib: the callback needs nothing of an algorithm but SB3's BaseCallback hooks.
    "tqc": (TQC, "aclbench/Pendulum-v0", {"learning_starts": 30, "batch_size": 32}),
    "qrdqn": (QRDQN, "aclbench/CartPole-v0", {"learning_starts": 30}),
    "trpo": (TRPO, "aclbench/CartPole-v0", {"n_steps": 64, "batch_size": 64}),
    "recurrent-ppo": (RecurrentPPO, "aclbench/CartPole-v0", {"n_steps": 64, "batch_size": 64}),
}
POLICY = {"recurrent-ppo": "MlpLstmPolicy"}


def space(env_id: str):  # noqa: ANN201
    return task_env(make_env(env_id.split("/")[1].split("-")[0].lower())).task_space


@pytest.mark.parametrize("name", CASES)
def test_every_finished_episode_reaches_the_teacher_once_across_learn_calls(name: str) -> None:
    algorithm, env_id, kwargs = CASES[name]
    teacher = SpyTeacher(space(env_id), seed=0)
    curriculum = Curriculum(teacher, n_envs=2)
    venv = VecMonitor(DummyVecEnv(curriculum.env_fns(env_id, max_episode_steps=30)))
    policy = POLICY.get(name, "MlpPolicy")
    model: BaseAlgorithm = algorithm(policy, venv, seed=0, device="cpu", **kwargs)
    try:
        callback = CurriculumCallback(curriculum)
        model.learn(100, callback=callback)
        model.learn(100, callback=callback)  # default reset_num_timesteps: envs reset, cut
        model.learn(100, callback=CurriculumCallback(curriculum), reset_num_timesteps=False)
    finally:
        venv.close()
        curriculum.close()
    assert venv.episode_count >= 8
    assert curriculum.delivered == venv.episode_count == len(teacher.received)
    assert {key(t) for t, _ in teacher.received} <= {key(t) for t in teacher.proposed}


def test_subprocess_envs_feed_the_main_process_teacher() -> None:
    teacher = SpyTeacher(space("aclbench/CartPole-v0"), seed=0)
    curriculum = Curriculum(teacher, n_envs=2)
    venv = VecMonitor(SubprocVecEnv(curriculum.env_fns("aclbench/CartPole-v0")))
    model = A2C("MlpPolicy", venv, seed=0, device="cpu")
    try:
        model.learn(400, callback=CurriculumCallback(curriculum))
        model.learn(400, callback=CurriculumCallback(curriculum))
    finally:
        venv.close()
        curriculum.close()
    assert venv.episode_count > 10 and teacher.episodes == venv.episode_count


def test_a_model_whose_envs_are_not_the_curriculum_s_is_refused() -> None:
    curriculum = Curriculum(SpyTeacher(space("aclbench/CartPole-v0"), seed=0), n_envs=3)
    venv = DummyVecEnv(curriculum.env_fns("aclbench/CartPole-v0")[:2])
    try:
        with pytest.raises(ValueError, match="curriculum has 3"):
            A2C("MlpPolicy", venv, device="cpu").learn(10, callback=CurriculumCallback(curriculum))
    finally:
        curriculum.close()


def test_rollouts_carry_the_task_of_every_step() -> None:
    teacher = SpyTeacher(space("aclbench/CartPole-v0"), seed=0)
    teacher.capabilities = Capabilities(rollouts=True)
    curriculum = Curriculum(teacher, n_envs=2)
    venv = DummyVecEnv(curriculum.env_fns("aclbench/CartPole-v0"))
    try:
        PPO("MlpPolicy", venv, n_steps=64, batch_size=64, n_epochs=1, device="cpu").learn(
            256, callback=CurriculumCallback(curriculum)
        )
    finally:
        curriculum.close()
    assert len(teacher.rollouts) == 2
    played = {key(t) for t in teacher.proposed}
    tasks = np.concatenate([r.tasks.reshape(-1, 3) for r in teacher.rollouts])
    assert {key(t) for t in tasks} <= played
