"""Observation and reward normalization of an SB3 student, with SB3's ``VecNormalize``.

BipedalWalker-like envs (``stump-tracks``) need it: rl-baselines3-zoo's tuned PPO for
BipedalWalker-v3 sets ``normalize: true``. The student key ``normalize`` is ``false`` (the
default), ``true`` (observations and rewards, as the zoo's ``true``) or ``"obs"``
(observations only). The running statistics are

- updated by the training envs only;
- frozen and used at evaluation: the evaluation envs normalize observations with a copy of the
  training statistics and never update them, and rewards are not normalized there (the
  returns aclbench records are the env's own, taken before any wrapper);
- saved as ``vecnormalize.pkl`` in every checkpoint, restored exactly on resume, and written
  next to ``model.zip`` so that a saved model can be replayed (``aclbench play``).
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import VecEnv, VecNormalize

from aclbench.errors import ConfigError

FILE = "vecnormalize.pkl"
"""The statistics' file, beside ``model.zip`` and in each checkpoint."""

SETTINGS = (False, True, "obs")
"""The values of the student key ``normalize``."""


@dataclass(frozen=True)
class Normalization:
    """What a student normalizes: observations, rewards (the rewards the learner trains on)."""

    obs: bool = False
    reward: bool = False

    @classmethod
    def from_setting(cls, value: Any) -> Normalization:
        """The normalization of the student key ``normalize = value``."""
        if value not in SETTINGS or not isinstance(value, bool | str):
            allowed = ", ".join(
                repr(v).lower() if isinstance(v, bool) else f'"{v}"' for v in SETTINGS
            )
            raise ConfigError(f"normalize = {value!r}; allowed: {allowed}")
        return cls(obs=value is not False, reward=value is True)

    @property
    def enabled(self) -> bool:
        return self.obs or self.reward

    def training_env(self, venv: VecEnv, gamma: float) -> VecEnv:
        """``venv`` normalized with statistics of its own, updated as it steps."""
        if not self.enabled:
            return venv
        return VecNormalize(venv, norm_obs=self.obs, norm_reward=self.reward, gamma=gamma)

    def evaluation_env(self, venv: VecEnv, trained: VecEnv) -> VecEnv:
        """``venv`` normalized with a frozen copy of ``trained``'s statistics."""
        if not isinstance(trained, VecNormalize):
            return venv
        frozen = VecNormalize(venv, norm_obs=trained.norm_obs, norm_reward=False, training=False)
        frozen.obs_rms = copy.deepcopy(trained.obs_rms)
        frozen.clip_obs, frozen.epsilon = trained.clip_obs, trained.epsilon
        return frozen


def save_statistics(venv: VecEnv, directory: Path) -> None:
    """Write ``venv``'s statistics into ``directory`` where it normalizes."""
    if isinstance(venv, VecNormalize):
        venv.save(str(Path(directory) / FILE))


def load_statistics(venv: VecEnv, directory: Path) -> None:
    """Restore into ``venv``, in place, the statistics saved in ``directory``; ConfigError where
    the two disagree on whether there are any."""
    path = Path(directory) / FILE
    normalizes = isinstance(venv, VecNormalize)
    if normalizes != path.exists():
        raise ConfigError(
            f"{directory}: the student {'normalizes' if normalizes else 'does not normalize'} "
            f"but {'no ' if normalizes else ''}{FILE} was saved with the checkpoint; resume "
            "with the student parameters the run was started with"
        )
    if isinstance(venv, VecNormalize):
        saved = _read(path)
        for name in ("obs_rms", "ret_rms", "clip_obs", "clip_reward", "gamma", "epsilon"):
            setattr(venv, name, getattr(saved, name))
        venv.returns = np.zeros(venv.num_envs)


def observation_normalizer(model_file: Path) -> VecNormalize | None:
    """The frozen statistics saved beside ``model_file`` (``None`` if it was not normalized);
    ``normalize_obs`` applies them to one observation or a batch."""
    path = Path(model_file).with_name(FILE)
    if not path.exists():
        return None
    saved = _read(path)
    saved.training = False
    return saved


def _read(path: Path) -> VecNormalize:
    with open(path, "rb") as file:
        saved = pickle.load(file)  # SB3's own format (VecNormalize.save); load your own runs only
    if not isinstance(saved, VecNormalize):
        raise ConfigError(f"{path} holds {type(saved).__name__}, not SB3's VecNormalize")
    return saved
