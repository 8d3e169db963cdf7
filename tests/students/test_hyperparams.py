"""Per-env default hyperparameters: merged with a user's, and reaching the SB3 model built."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from stable_baselines3.common.type_aliases import TrainFreq
from stable_baselines3.common.vec_env import DummyVecEnv, VecNormalize

from aclbench.envs import make_env
from aclbench.envs.core import task_env
from aclbench.students import make_student
from aclbench.students.hyperparams import PER_ENV, STUDENT_KEYS, default_params, merge_params
from aclbench.students.normalization import Normalization
from aclbench.students.sb3 import SB3Student
from aclbench.teachers.random_teacher import RandomTeacher


def build(algo: str, env_name: str, **params: Any) -> SB3Student:
    space = task_env(make_env(env_name)).task_space
    teacher = RandomTeacher(space, seed=0)
    student = make_student(algo, env_name, teacher, seed=0, device="cpu", **params)
    assert isinstance(student, SB3Student)
    return student


def test_merge_params_merges_policy_kwargs_key_by_key() -> None:
    defaults = {"gamma": 0.9, "policy_kwargs": {"normalize_images": False, "net_arch": [64]}}
    merged = merge_params(defaults, {"gamma": 0.5, "policy_kwargs": {"net_arch": [8]}})
    assert merged == {"gamma": 0.5, "policy_kwargs": {"normalize_images": False, "net_arch": [8]}}
    assert merge_params(defaults, {"policy_kwargs": None})["policy_kwargs"] is None
    assert merge_params({"gamma": 0.9}, {"policy_kwargs": {"net_arch": [8]}}) == {
        "gamma": 0.9,
        "policy_kwargs": {"net_arch": [8]},
    }
    assert defaults["policy_kwargs"] == {"normalize_images": False, "net_arch": [64]}


def test_default_params_are_a_copy_sb3_cannot_change() -> None:
    params = default_params("sac", "mountaincar")
    params["policy_kwargs"]["use_sde"] = True  # what SAC's constructor does to its argument
    assert "use_sde" not in default_params("sac", "mountaincar")["policy_kwargs"]


@pytest.mark.parametrize("algo", ["ppo", "a2c", "dqn"])
def test_minigrid_codes_reach_the_network_undivided(algo: str) -> None:
    """MiniGrid's view holds codes (object 5 = key), not pixels: no division by 255."""
    student = build(algo, "minigrid-sequence", n_envs=1)
    try:
        policy = student.model.policy
        net = getattr(policy, "q_net", policy)  # DQN's policy holds a Q-network that extracts
        assert policy.normalize_images is False and net.normalize_images is False
        obs, _ = make_env("minigrid-sequence").reset(seed=0, options={"task": [0]})
        assert obs.max() >= 5  # the probe has codes above 1 to lose
        tensor, _ = policy.obs_to_tensor(obs)
        with torch.no_grad():
            features = net.extract_features(tensor, net.features_extractor)
        # SB3 transposes the channels-last view before flattening it.
        np.testing.assert_array_equal(features.numpy()[0], obs.transpose(2, 0, 1).ravel())
    finally:
        student.close()


def test_a_users_policy_kwargs_keep_the_minigrid_default() -> None:
    student = build("ppo", "minigrid-sequence", n_envs=1, policy_kwargs={"net_arch": [16]})
    try:
        assert student.model.policy.normalize_images is False
        assert student.model.policy.net_arch == [16]
    finally:
        student.close()


def model_value(student: SB3Student, key: str) -> Any:
    """The value of parameter ``key`` as the built student and its SB3 model hold it."""
    aclbench = {
        "n_envs": lambda: student.model.n_envs,
        "vec_env": lambda: (  # under VecNormalize
            "dummy" if isinstance(student.venv.unwrapped, DummyVecEnv) else "subproc"
        ),
        "torch_threads": torch.get_num_threads,
        "reset_every": lambda: student.reset_every,
        "normalize": lambda: (
            {
                Normalization(): False,
                Normalization(obs=True): "obs",
                Normalization(obs=True, reward=True): True,
            }[student.normalization]
            if isinstance(student.venv, VecNormalize) == student.normalization.enabled
            else "wrapper and setting disagree"
        ),
    }
    if key in aclbench:
        return aclbench[key]()
    value = getattr(student.model, key)
    return value.frequency if isinstance(value, TrainFreq) else value


@pytest.mark.parametrize(("algo", "env_name"), sorted(PER_ENV))
def test_recommended_student_builds_with_its_defaults(algo: str, env_name: str) -> None:
    """Every default of every (algorithm, env) entry is the value the built model uses."""
    defaults = default_params(algo, env_name)
    assert set(STUDENT_KEYS) <= set(defaults)
    student = build(algo, env_name)
    try:
        for key, expected in defaults.items():
            actual = model_value(student, key)
            if key == "policy_kwargs":
                assert expected.items() <= actual.items(), key
            elif isinstance(expected, str) and expected.startswith("lin_"):
                start = float(expected[len("lin_") :])
                assert (actual(1.0), actual(0.25)) == pytest.approx((start, start / 4)), key
            elif callable(actual):  # SB3 wraps constants such as clip_range in a schedule
                assert actual(0.25) == pytest.approx(expected), key
            else:
                assert actual == expected, key
    finally:
        student.close()
