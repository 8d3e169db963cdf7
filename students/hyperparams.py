"""Default hyperparameters of the SB3 students, per (algorithm, env short name).

A suite's ``params`` override these key by key. Besides the SB3 constructor's arguments, three
aclbench keys choose the vectorized env and the torch threads (see :data:`STUDENT_KEYS`).
Schedules may be written ``"lin_<start>"`` (as in rl-baselines3-zoo) because a TOML suite
cannot hold a callable: the value then decays linearly from ``start`` to 0 over ``learn``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stable_baselines3.common.utils import LinearSchedule

from aclbench.errors import ConfigError

STUDENT_KEYS: dict[str, Any] = {"n_envs": 1, "vec_env": "dummy", "torch_threads": 1}
"""aclbench keys of an SB3 student and their defaults. ``torch_threads`` is 1 because runs
execute in parallel worker processes, one run per core; raise it for a lone run on a big CPU."""

VEC_ENVS = ("dummy", "subproc")

FALLBACK: dict[str, dict[str, Any]] = {
    "ppo": {"n_envs": 8},
    "a2c": {"n_envs": 8},
}
"""Per-algorithm defaults for envs without an entry in :data:`PER_ENV` (SB3's own otherwise)."""

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
}


def default_params(algorithm: str, env_name: str) -> dict[str, Any]:
    """The defaults of ``algorithm`` (``"ppo"``) on env ``env_name``, aclbench keys included."""
    return {
        **STUDENT_KEYS,
        **FALLBACK.get(algorithm, {}),
        **PER_ENV.get((algorithm, env_name), {}),
    }


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
