"""The torch device a neural student trains on.

``"auto"`` follows Stable-Baselines3's own advice: on-policy algorithms (PPO, A2C) with MLP
policies run faster on the CPU, where the rollout loop dominates and every small forward pass
on a GPU pays a transfer; off-policy algorithms (SAC, TD3, DQN), whose gradient steps dominate,
and image (CNN) policies use a GPU where there is one. A device asked for by name must exist:
``"cuda"`` on a machine without CUDA is an error, never a silent CPU run.
"""

from __future__ import annotations

import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm

from aclbench.errors import ConfigError

IMAGE_POLICIES = ("CnnPolicy", "MultiInputPolicy")
"""SB3's policy names whose feature extractor is a CNN (MultiInputPolicy: for image keys)."""


def training_device(requested: str, algorithm: type[BaseAlgorithm], policy: object) -> str:
    """The device ``algorithm`` trains on when ``requested`` (``"auto"``, ``"cpu"``, ``"cuda"``,
    ``"cuda:1"``...) is asked for with ``policy`` (an SB3 policy name or class)."""
    if requested != "auto":
        check_device_available(requested)
        return str(torch.device(requested))
    image_policy = policy in IMAGE_POLICIES or "Cnn" in getattr(policy, "__name__", "")
    if issubclass(algorithm, OnPolicyAlgorithm) and not image_policy:
        return "cpu"
    return "cuda" if torch.cuda.is_available() else "cpu"


def check_device_available(device: str) -> None:
    """Raise ConfigError where ``device`` names a CUDA device this machine does not have."""
    parsed = torch.device(device)
    if parsed.type != "cuda":
        return
    if not torch.cuda.is_available():
        raise ConfigError(
            f"device = {device!r} but torch sees no CUDA device on this machine "
            f"(torch {torch.__version__}, CUDA build: {torch.version.cuda or 'none'}); "
            "use 'cpu' or 'auto'"
        )
    count = torch.cuda.device_count()
    if parsed.index is not None and parsed.index >= count:
        raise ConfigError(
            f"device = {device!r} but this machine has {count} CUDA device(s): cuda:0 to "
            f"cuda:{count - 1}"
        )
