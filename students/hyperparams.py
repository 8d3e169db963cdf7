"""Default hyperparameters of the SB3 students, per (algorithm, env short name).

A suite's ``params`` override these key by key, except ``policy_kwargs``, whose keys override
the default ``policy_kwargs``' one by one (:func:`merge_params`), so that a user's ``net_arch``
keeps an env's ``normalize_images = False``. Besides the SB3 constructor's arguments, three
aclbench keys choose the vectorized env and the torch threads (see :data:`STUDENT_KEYS`).
Schedules may be written ``"lin_<start>"`` (as in rl-baselines3-zoo) because a TOML suite
cannot hold a callable: the value then decays linearly from ``start`` to 0 over ``learn``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from stable_baselines3.common.utils import LinearSchedule

from aclbench.errors import ConfigError

STUDENT_KEYS: dict[str, Any] = {
    "n_envs": 1,
    "vec_env": "dummy",
    "torch_threads": 1,
    "normalize": False,
    "reset_every": 0,
}
"""aclbench keys of an SB3 student and their defaults. ``torch_threads`` is 1 because runs
execute in parallel worker processes, one run per core; raise it for a lone run on a big CPU.
``normalize`` is ``false``, ``true`` or ``"obs"`` (:mod:`students.normalization`).
``reset_every``: env steps between the resets of a forgetting student, 0 for none
(:mod:`students.forgetting`)."""

VEC_ENVS = ("dummy", "subproc")

FALLBACK: dict[str, dict[str, Any]] = {
    "ppo": {"n_envs": 8},
    "a2c": {"n_envs": 8},
}
"""Per-algorithm defaults, under those of :data:`PER_ENV` (SB3's own otherwise)."""

MERGED_KEYS = ("policy_kwargs",)
"""Parameters whose tables merge key by key with the defaults' instead of replacing them."""

_MINIGRID_CODES = {"policy_kwargs": {"normalize_images": False}}
"""MiniGrid's ``uint8`` view holds object, colour and state codes (at most ~10), not pixels;
SB3 would treat its ``Box(0, 255)`` as an image and divide the codes by 255."""

PER_ENV: dict[tuple[str, str], dict[str, Any]] = {
    # rl-baselines3-zoo's tuned CartPole-v1 PPO: solves the default pole in about 50k steps.
    ("ppo", "cartpole"): {
        "n_envs": 8,
        "n_steps": 32,
        "batch_size": 256,
        "gae_lambda": 0.8,
        "gamma": 0.98,
        "n_epochs": 20,
        "ent_coef": 0.0,
        "learning_rate": "lin_0.001",
        "clip_range": "lin_0.2",
    },
    # Control envs (envs/pendulum.py, mountaincar.py, lunarlander.py): rl-baselines3-zoo's tuned
    # values for the stock env, checked on each env's easy region by
    # benchmarks/perf/easy_region.py (figures in the env modules' docstrings).
    ("sac", "pendulum"): {"learning_rate": 1e-3},
    ("ppo", "pendulum"): {
        "n_envs": 4,
        "n_steps": 1024,
        "gae_lambda": 0.95,
        "gamma": 0.9,
        "n_epochs": 10,
        "ent_coef": 0.0,
        "learning_rate": 1e-3,
        "clip_range": 0.2,
        "use_sde": True,
        "sde_sample_freq": 4,
    },
    ("sac", "mountaincar"): {
        "learning_rate": 3e-4,
        "buffer_size": 50_000,
        "batch_size": 512,
        "ent_coef": 0.1,
        "train_freq": 32,
        "gradient_steps": 32,
        "gamma": 0.99,  # zoo: 0.9999, unstable on short easy episodes (envs/mountaincar.py)
        "tau": 0.01,
        "learning_starts": 0,
        "use_sde": True,
        "policy_kwargs": {"log_std_init": -3.67, "net_arch": [64, 64]},
    },
    ("ppo", "lunarlander"): {
        "n_envs": 16,
        "n_steps": 1024,
        "batch_size": 64,
        "gae_lambda": 0.98,
        "gamma": 0.999,
        "n_epochs": 4,
        "ent_coef": 0.01,
    },
    # rl-baselines3-zoo's tuned PPO for BipedalWalker-v3, normalization included.
    ("ppo", "stump-tracks"): {
        "normalize": True,
        "n_envs": 32,
        "n_steps": 2048,
        "batch_size": 64,
        "gae_lambda": 0.95,
        "gamma": 0.999,
        "n_epochs": 10,
        "ent_coef": 0.001,
        "learning_rate": 2.5e-4,
        "clip_range": 0.18,
    },
    # TeachMyAgent's SAC (Romac et al. 2021, its run_utils/student_args_handler.py): 400/300
    # units, a fixed entropy coefficient of 0.005, 10 gradient steps every 10 env steps, 10k
    # random steps first, a 2M-transition buffer.
    ("sac", "stump-tracks"): {
        "learning_rate": 1e-3,
        "batch_size": 1000,
        "buffer_size": 2_000_000,
        "train_freq": 10,
        "gradient_steps": 10,
        "ent_coef": 0.005,
        "gamma": 0.99,
        "tau": 0.005,
        "learning_starts": 10_000,
        "policy_kwargs": {"net_arch": [400, 300]},
    },
    **{(algo, "minigrid-sequence"): _MINIGRID_CODES for algo in ("ppo", "a2c", "dqn")},
}


def default_params(algorithm: str, env_name: str) -> dict[str, Any]:
    """The defaults of ``algorithm`` (``"ppo"``) on env ``env_name``, aclbench keys included.

    A deep copy: SB3 writes into the ``policy_kwargs`` it is given (SAC adds ``use_sde``)."""
    return copy.deepcopy(
        {**STUDENT_KEYS, **FALLBACK.get(algorithm, {}), **PER_ENV.get((algorithm, env_name), {})}
    )


def merge_params(defaults: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` over ``defaults``: key by key, and inside :data:`MERGED_KEYS` tables too
    (a user's key wins; a value that is not a table, such as ``None``, replaces the default's)."""
    merged = {**defaults, **params}
    for key in MERGED_KEYS:
        default, given = defaults.get(key), params.get(key)
        if isinstance(default, Mapping) and isinstance(given, Mapping):
            merged[key] = {**default, **given}
    return merged


def resolve_schedules(params: Mapping[str, Any]) -> dict[str, Any]:
    """Replace every ``"lin_<start>"`` string value by SB3's linear schedule from ``start``."""
    resolved = dict(params)
    for key, value in params.items():
        if isinstance(value, str) and value.startswith("lin_"):
            try:
                start = float(value[len("lin_") :])
            except ValueError:
                raise ConfigError(
                    f"parameter {key!r} = {value!r}: a linear schedule is written 'lin_<number>'"
                    ", e.g. 'lin_0.001'"
                ) from None
            resolved[key] = LinearSchedule(start, 0.0, 1.0)
    return resolved
