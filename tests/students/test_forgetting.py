"""The forgetting student (students.forgetting): fresh networks, empty buffer, on schedule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from stable_baselines3 import SAC

from aclbench.envs import make_env
from aclbench.envs.core import task_env
from aclbench.errors import ConfigError
from aclbench.students import make_student
from aclbench.students.forgetting import reinitialize
from aclbench.teachers.random_teacher import RandomTeacher
from tests.students.spies import RecordingListener

CARTPOLE = task_env(make_env("cartpole")).task_space


def test_reinitialize_gives_fresh_weights_fresh_optimizers_and_an_empty_buffer() -> None:
    torch.set_num_threads(1)  # as the students run (one torch thread per run)
    model = SAC(
        "MlpPolicy",
        "Pendulum-v1",
        learning_starts=50,
        buffer_size=1000,
        batch_size=32,
        policy_kwargs={"net_arch": [16]},
        seed=0,
    )
    model.learn(80)
    assert model.replay_buffer.pos == 80 and model.actor.optimizer.state
    assert model.log_ent_coef.item() != 0.0  # "auto" has moved from its initial 1.0
    torch.manual_seed(5)
    reinitialize(model)
    torch.manual_seed(5)
    fresh = model.policy_class(
        model.observation_space, model.action_space, model.lr_schedule, **model.policy_kwargs
    )
    for name, value in fresh.state_dict().items():
        torch.testing.assert_close(model.policy.state_dict()[name], value)
    assert model.replay_buffer.pos == 0 and not model.replay_buffer.full
    assert not model.actor.optimizer.state and not model.critic.optimizer.state
    assert model.log_ent_coef.item() == 0.0 and not model.ent_coef_optimizer.state
    model.learn(20, reset_num_timesteps=False)  # trains on from the emptied buffer


def weights(student) -> np.ndarray:
    return torch.nn.utils.parameters_to_vector(student.model.policy.parameters()).detach().numpy()


def test_a_forgetting_ppo_resets_at_each_multiple_of_reset_every(tmp_path: Path) -> None:
    params = {"n_steps": 64, "batch_size": 64, "n_epochs": 1, "n_envs": 2}
    student = make_student(
        "ppo", "cartpole", RandomTeacher(CARTPOLE, seed=0), seed=0, reset_every=256, **params
    )
    try:
        student.learn(384, RecordingListener())  # rollouts of 128 steps: resets at 256
        assert student.loop.forgetting.resets == 1
        student.save_checkpoint(tmp_path)
        student.load_checkpoint(tmp_path)
        assert student.loop.forgetting.resets == 1  # resumed: no second reset at 384
        student.learn(256, RecordingListener())
        assert student.loop.forgetting.resets == 2  # at the rollout that starts at 512
    finally:
        student.close()


def test_reset_every_must_be_a_whole_number_of_steps() -> None:
    with pytest.raises(ConfigError, match="reset_every = -5; expected an integer >= 0"):
        make_student("ppo", "cartpole", RandomTeacher(CARTPOLE, seed=0), seed=0, reset_every=-5)
