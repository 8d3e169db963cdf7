"""``clutr``: a regret-driven teacher that chooses levels in the latent space of a frozen VAE.

Azad, Gur, Emhoff, Alexis, Faust, Abbeel and Stoica (ICML 2023), "CLUTR: Curriculum Learning
via Unsupervised Task Representation Learning". Two stages:

1. a recurrent VAE learns a latent space of levels, without supervision, from random levels
   written as token sequences (:mod:`teachers.clutr_vae`, :mod:`teachers.level_sequences`);
   it is then frozen;
2. a teacher generates each level in one step: from random noise a Gaussian policy draws a
   latent code (:mod:`teachers.clutr_policy`), which the VAE decodes (greedily) into tokens and
   the task space's codec into a valid level. The policy's reward is PAIRED's regret of that
   level between a protagonist and an antagonist (:mod:`teachers.regret_rounds`), and it is
   trained by PPO as a contextual bandit.

The frozen latent space is the point: PAIRED's adversary learns to build levels and what makes
them hard at the same time, from a non-stationary regret, one cell per step; CLUTR's teacher
only moves in a space already organized by level structure.

Working with a student: as PAIRED (:mod:`teachers.paired`), it declares ``adversarial``, and
the SB3 students run the rounds (:mod:`students.paired`): ``aclbench run --env maze --teacher
clutr --student ppo``. With a student that plays no rounds it proposes levels from the VAE's
prior and never learns.

The VAE. For the ``maze`` env at its defaults (13 x 13, up to 60 walls) a pretrained model
ships with the package (``teachers/models/clutr_maze13.pt``, made by ``python -m
benchmarks.clutr_pretrain``); ``model`` names another file made by that command. Any other
task space (another maze size, a continuous space written one token per dimension) gets a
VAE pretrained when the teacher is built, for ``pretrain_steps`` batches of its random tasks
with seed 0, shared by every teacher of that space in the process. Nothing is downloaded.

Defaults and where ours differ. The reference (CLUTR's ``scripts/train_minigrid50_clutr.sh``,
on DCD's PAIRED): PPO with 5 epochs, clip 0.2, learning rate 1e-4, no entropy bonus, a
50-dimensional uniform noise context; levels of up to 50 walls, a 64-dimensional latent space,
codes bounded by the VAE's scaled tanh (4), an LSTM policy. Ours: the same PPO settings and
context, a 2 x 64 tanh MLP (the context is the policy's only input), the smaller VAE of
:mod:`teachers.clutr_vae` (24 dimensions), codes clipped to [-4, 4] before decoding, and the
maze's 60 walls, as the other maze teachers here.
"""

from __future__ import annotations

import copy
import os
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.level_sequences import LevelCodec, codec_for
from aclbench.teachers.params import (
    check_int,
    config_error,
)
from aclbench.teachers.registry import register_teacher
from aclbench.teachers.regret_rounds import RegretRoundsTeacher, check_ppo_params

if TYPE_CHECKING:
    from aclbench.teachers.clutr_policy import LatentPolicy
    from aclbench.teachers.clutr_vae import SequenceVAE

LATENT_BOUND = 4.0
"""Codes are clipped to ``[-LATENT_BOUND, LATENT_BOUND]`` before decoding: the reference's
bound on its VAE's codes (a tanh scaled by 4)."""

SHIPPED = {"maze:size=13:max_walls=60": "clutr_maze13.pt"}
"""Pretrained VAEs shipped in ``teachers/models``, by the key of the codec they fit."""

_PRETRAINED: dict[tuple[str, int], SequenceVAE] = {}
"""VAEs pretrained at build time in this process, by codec key and steps (frozen: shared)."""


@register_teacher("clutr")
class CLUTRTeacher(RegretRoundsTeacher):
    """CLUTR's teacher: a regret-trained policy over a frozen VAE's latent codes.

    Args:
        task_space: the levels.
        seed: seed of the teacher's generator (policy initialization included).
        model: a VAE file made by ``python -m benchmarks.clutr_pretrain``; ``None``: the one
            shipped for this task space, else one pretrained at build time.
        pretrain_steps: batches of random tasks a VAE is pretrained on at build time (when
            ``model`` is ``None`` and none ships for the space).
        learning_rate: Adam step size of the policy.
        epochs: PPO epochs per round.
        clip_range: PPO ratio clip.
        entropy_coef: entropy bonus of the policy.
        hidden: width of the policy's two hidden layers.
        context_dim: length of the random context given to the policy.
        bins: tokens per continuous dimension, for task spaces without their own codec.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        model: str | os.PathLike[str] | None = None,
        pretrain_steps: int = 100,
        learning_rate: float = 1e-4,
        epochs: int = 5,
        clip_range: float = 0.2,
        entropy_coef: float = 0.0,
        hidden: int = 64,
        context_dim: int = 50,
        bins: int = 20,
    ) -> None:
        super().__init__(task_space, seed=seed)
        ppo = check_ppo_params(self, learning_rate, clip_range, entropy_coef, epochs, hidden)
        self.context_dim = check_int(self, "context_dim", context_dim, 1)
        self.pretrain_steps = check_int(self, "pretrain_steps", pretrain_steps, 1)
        self.codec: LevelCodec = codec_for(task_space, bins=check_int(self, "bins", bins, 1))
        self.vae = self._load_vae(model)
        from aclbench.teachers.clutr_policy import LatentPolicy  # torch, only where it is used

        self.policy: LatentPolicy = LatentPolicy(
            self.context_dim,
            self.vae.config.latent,
            seed=int(self.rng.integers(2**31)),
            **ppo,
        )

    def _load_vae(self, model: str | os.PathLike[str] | None) -> SequenceVAE:
        from aclbench.teachers.clutr_vae import load_vae, train_vae  # torch

        key = self.codec.key
        if model is None and key in SHIPPED:
            with resources.as_file(resources.files(__package__) / "models" / SHIPPED[key]) as path:
                return load_vae(path)[0]
        if model is None:
            cached = (key, self.pretrain_steps)
            if cached not in _PRETRAINED:
                steps = self.pretrain_steps
                _PRETRAINED[cached] = train_vae(self.codec, steps=steps, seed=0, kl_anneal=steps)
            return _PRETRAINED[cached]
        if not isinstance(model, (str, os.PathLike)):
            raise config_error(
                self, f"model = {model!r} must be a VAE file of benchmarks.clutr_pretrain or None"
            )
        try:
            vae, trained_for = load_vae(model)
        except Exception as err:  # missing, unreadable, not torch's format, not a VAE's state
            raise config_error(
                self, f"model = {model!r} is not a VAE file of benchmarks.clutr_pretrain ({err})"
            ) from err
        if trained_for != key or vae.config.vocab_size != self.codec.vocab_size:
            raise config_error(
                self,
                f"model = {model!r} was trained for {trained_for!r}, not this task space "
                f"({key!r}); pretrain one with python -m benchmarks.clutr_pretrain",
            )
        return vae

    # --- sampling ------------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        from aclbench.teachers.clutr_vae import decode_codes  # imported with the VAE

        context = self.rng.random(self.context_dim)
        mean, std = self.policy.mean_and_std(context)
        code = mean + std * self.rng.standard_normal(len(mean))
        bounded = np.clip(code, -LATENT_BOUND, LATENT_BOUND)
        tokens = decode_codes(self.vae, bounded[None])[0]
        task = self.codec.decode(tokens, self.rng)
        self._generated(task, np.concatenate([context, code]))
        return task

    # --- learning ------------------------------------------------------------------------------
    def _train(self, choices: list[NDArray[Any]], rewards: list[float]) -> dict[str, Any]:
        """One PPO update of the policy on the round's (context, code) pairs and regrets."""
        stacked = np.stack(choices)
        contexts, codes = stacked[:, : self.context_dim], stacked[:, self.context_dim :]
        return self.policy.update(contexts, codes, np.asarray(rewards))

    # --- report and persistence ------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        return {**super().inner_state(), "policy_std": self.last_stats.get("std")}

    def state_dict(self) -> dict[str, Any]:
        """As :meth:`Teacher.state_dict`, without the frozen VAE and the codec, which the
        constructor's arguments rebuild."""
        frozen = ("task_space", "codec", "vae")
        return copy.deepcopy({k: v for k, v in vars(self).items() if k not in frozen})
