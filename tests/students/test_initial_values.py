"""Students give a teacher that declares ``initial_values`` their value of each episode's first
state, and give nothing to a teacher that does not."""

from __future__ import annotations

import copy
import functools

import numpy as np
import pytest
import torch
from stable_baselines3 import A2C, DQN, PPO, SAC, TD3
from stable_baselines3.common.vec_env import DummyVecEnv

from aclbench.envs import make_env
from aclbench.envs.core import task_env
from aclbench.envs.curriculum import Curriculum
from aclbench.students.callback import CurriculumCallback, critic_values
from aclbench.students.simulated import SimulatedStudent
from aclbench.task_space import Task
from aclbench.teachers.base import Capabilities
from tests.students.counting_env import CountingEnv
from tests.students.spies import RecordingListener, SpyTeacher, key


class ValueSpy(SpyTeacher):
    """Records every (task, initial value) pair it is given."""

    capabilities = Capabilities(initial_values=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial: list[tuple[Task, float]] = []

    def _on_initial_values(self, tasks: np.ndarray, values: np.ndarray) -> None:
        self.initial += [(t.copy(), float(v)) for t, v in zip(tasks, values, strict=True)]


class UndeclaredValueSpy(ValueSpy):
    capabilities = Capabilities()


CASES = {  # algorithm, continuous actions, arguments: no gradient step before the check
    "ppo": (PPO, False, {"n_steps": 32, "batch_size": 32, "n_epochs": 1}),
    "a2c": (A2C, False, {"n_steps": 32}),
    "dqn": (DQN, False, {"learning_starts": 1000}),
    "sac": (SAC, True, {"learning_starts": 1000}),
    "td3": (TD3, True, {"learning_starts": 1000}),
}


def expected_value(policy, on_policy: bool, task: Task) -> float:
    """The value the untrained policy gives the first observation of an episode on ``task``."""
    obs = np.array([[task[0], task[1], 0.0]], dtype=np.float32)
    if not on_policy:
        return float(critic_values(policy, obs)[0])
    with torch.no_grad():
        return float(policy.predict_values(policy.obs_to_tensor(obs)[0])[0, 0])


@pytest.mark.parametrize("name", CASES)
def test_the_value_of_each_started_episode_s_first_observation_reaches_the_teacher(name):
    algorithm, continuous, kwargs = CASES[name]
    teacher = ValueSpy(CountingEnv().task_space, seed=0)
    curriculum = Curriculum(teacher, n_envs=2)
    venv = DummyVecEnv(curriculum.env_fns(functools.partial(CountingEnv, continuous=continuous)))
    model = algorithm("MlpPolicy", venv, seed=0, device="cpu", **kwargs)
    before = copy.deepcopy(model.policy)  # on-policy: the rollout's values are this policy's
    try:
        model.learn(64, callback=CurriculumCallback(curriculum))
    finally:
        curriculum.close()
    started = [key(t) for env in venv.envs for t in env.unwrapped.started]
    assert len(teacher.received) >= 10
    # every episode that took a step, once: all those started but one an env may just have
    # reset into at the last step
    reported = [key(t) for t, _ in teacher.initial]
    assert len(started) - 2 <= len(reported) <= len(started)
    assert all(reported.count(t) <= started.count(t) for t in reported)
    on_policy = name in ("ppo", "a2c")
    for task, value in teacher.initial:
        assert value == pytest.approx(expected_value(before, on_policy, task), abs=1e-5)
    assert len({v for _, v in teacher.initial}) > 1  # values of different tasks


@pytest.mark.parametrize("name", ["ppo", "sac"])
def test_a_teacher_that_does_not_declare_initial_values_gets_none(name):
    algorithm, continuous, kwargs = CASES[name]
    teacher = UndeclaredValueSpy(CountingEnv().task_space, seed=0)
    curriculum = Curriculum(teacher, n_envs=2)
    venv = DummyVecEnv(curriculum.env_fns(functools.partial(CountingEnv, continuous=continuous)))
    try:
        algorithm("MlpPolicy", venv, seed=0, device="cpu", **kwargs).learn(
            64, callback=CurriculumCallback(curriculum)
        )
    finally:
        curriculum.close()
    assert teacher.received and teacher.initial == []


def test_the_simulated_student_gives_its_competence_before_each_episode():
    space = task_env(make_env("toy", n_dims=1, cells_per_dim=1)).task_space
    teacher = ValueSpy(space, seed=0)
    student = SimulatedStudent("toy", teacher, seed=0, env_kwargs={"n_dims": 1, "cells_per_dim": 1})
    student.learn(30, RecordingListener())
    values = [v for _, v in teacher.initial]
    returns = [r for _, r in teacher.received]
    # one cell, learnable: competence 0, 0.01, ...; each return is the competence after the play
    assert values == pytest.approx([i / 100 for i in range(30)])
    assert returns == pytest.approx([(i + 1) / 100 for i in range(30)])
