"""The forgetting student: an SB3 model that forgets all it learned every ``reset_every`` steps.

TeachMyAgent's third challenge (Romac et al., ICML 2021, section 4.1: "forgetting student")
re-initializes the student's networks and empties its replay buffer every 7M of its 20M steps, so
that a teacher must notice the drop and bring the student back to easy tasks. Here the aclbench
student key ``reset_every`` (env steps; 0: never) does it for any SB3 algorithm:
:class:`ForgettingCallback` calls :func:`reinitialize` at the start of the first rollout after
each multiple of ``reset_every``, so that an on-policy rollout is never played by two different
networks. The observation normalization statistics, the learning-rate schedule's progress and the
step counters are kept: they are the harness's, not what the student learned.
"""

from __future__ import annotations

import math

import torch
from stable_baselines3 import SAC
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm


def reinitialize(model: BaseAlgorithm) -> None:
    """Give ``model`` the weights of a newly built policy of its class, fresh optimizer
    states (and, for SAC with a learned entropy coefficient, its initial value), and an empty
    replay buffer. Weights come from torch's global generator, as a new model's do."""
    extra = {"use_sde": model.use_sde} if isinstance(model, OnPolicyAlgorithm) else {}
    fresh = model.policy_class(
        model.observation_space,
        model.action_space,
        model.lr_schedule,
        **extra,
        **model.policy_kwargs,
    )
    model.policy.load_state_dict(fresh.state_dict())
    for module in model.policy.modules():
        optimizer = getattr(module, "optimizer", None)
        if isinstance(optimizer, torch.optim.Optimizer):
            optimizer.state.clear()
    if isinstance(model, SAC) and model.log_ent_coef is not None:  # "auto" or "auto_<init>"
        ent_coef = str(model.ent_coef)
        init = float(ent_coef.split("_")[1]) if "_" in ent_coef else 1.0
        with torch.no_grad():
            model.log_ent_coef.fill_(math.log(init))
        if model.ent_coef_optimizer is not None:
            model.ent_coef_optimizer.state.clear()
    buffer = getattr(model, "replay_buffer", None)
    if buffer is not None:
        buffer.reset()  # in place: a rollout under way holds this very buffer


class ForgettingCallback(BaseCallback):
    """Calls :func:`reinitialize` once per ``every`` env steps, at a rollout's start.

    Attributes:
        resets: how many resets were done; saved in the student's checkpoints, so that a
            resumed run neither repeats nor skips one.
    """

    def __init__(self, every: int) -> None:
        super().__init__()
        self.every = every
        self.resets = 0

    def _on_rollout_start(self) -> None:
        if self.model.num_timesteps // self.every > self.resets:
            reinitialize(self.model)
            self.resets = self.model.num_timesteps // self.every

    def _on_step(self) -> bool:
        return True
