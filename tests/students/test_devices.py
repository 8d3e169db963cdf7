"""students.devices: the device a student trains on, and a CUDA device that is not there."""

import pytest
import torch
from stable_baselines3 import A2C, DQN, PPO, SAC, TD3

from aclbench.errors import ConfigError
from aclbench.students.devices import check_device_available, training_device

GPU = "cuda" if torch.cuda.is_available() else "cpu"


@pytest.mark.parametrize(
    ("algorithm", "policy", "expected"),
    [
        (PPO, "MlpPolicy", "cpu"),
        (A2C, "MlpPolicy", "cpu"),
        (PPO, "CnnPolicy", GPU),
        (SAC, "MlpPolicy", GPU),
        (TD3, "MlpPolicy", GPU),
        (DQN, "MlpPolicy", GPU),
    ],
)
def test_auto_follows_sb3s_advice(algorithm, policy, expected):
    assert training_device("auto", algorithm, policy) == expected


def test_a_named_device_is_kept_whatever_the_algorithm():
    assert training_device("cpu", SAC, "MlpPolicy") == "cpu"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:3"])
def test_cuda_without_cuda_is_an_error_naming_the_problem(device):
    with pytest.raises(ConfigError, match=f"device = '{device}' but torch sees no CUDA device"):
        check_device_available(device)
    with pytest.raises(ConfigError, match="use 'cpu' or 'auto'"):
        training_device(device, PPO, "MlpPolicy")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_cuda_index_past_the_last_device_is_an_error():
    count = torch.cuda.device_count()
    with pytest.raises(ConfigError, match=f"has {count} CUDA device"):
        check_device_available(f"cuda:{count}")
