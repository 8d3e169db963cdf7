"""Full-state scripted controllers for the control envs, and a rollout helper.

They are the evidence behind each env's easy / hard / unlearnable regions: where a good
controller that reads the true physics cannot reach the mastered threshold, the task is
unsolvable by physics, not for want of tuning a learner. They read the env's current physics
attributes (set from the task at reset), which a learner never sees.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import solve_continuous_are, solve_discrete_are

Controller = Callable[[gym.Env, NDArray[np.floating]], Any]
"""``controller(env.unwrapped, obs) -> action``."""


def episode_return(env: gym.Env, controller: Controller, task: ArrayLike, seed: int) -> float:
    """Return of one episode of ``controller`` on ``task`` from the start drawn with ``seed``."""
    obs, _ = env.reset(seed=seed, options={"task": task})
    total, done = 0.0, False
    while not done:
        obs, reward, terminated, truncated, _ = env.step(controller(env.unwrapped, obs))
        total += float(reward)
        done = terminated or truncated
    return total


# --- pendulum ----------------------------------------------------------------------------
def pendulum_torque(env: Any, obs: NDArray[np.floating], catch_angle: float = 0.6) -> NDArray:
    """Pump energy until it matches the upright rest state, then LQR near the top.

    Far from upright it pushes along the velocity while the energy ``omega^2 / 2 + a cos(theta)``
    (``a = 3 g / (2 l)``) is below ``a``, and against it above. Within ``catch_angle`` of upright
    it applies the LQR gain of the env's own linearised step and cost weights.
    """
    a = 3.0 * env.g / (2.0 * env.l)
    b = 3.0 / (env.m * env.l**2)
    theta = float(np.arctan2(obs[1], obs[0]))
    omega = float(obs[2])
    if abs(theta) < catch_angle:
        gain = _pendulum_lqr_gain(a, b, env.dt)
        u = -(gain[0] * theta + gain[1] * omega)
    else:
        energy = 0.5 * omega**2 + a * np.cos(theta)
        u = 5.0 * (a - energy) * (1.0 if omega >= 0 else -1.0) / b
    return np.array([np.clip(u, -env.max_torque, env.max_torque)], dtype=np.float32)


@functools.lru_cache(maxsize=256)
def _pendulum_lqr_gain(a: float, b: float, dt: float) -> tuple[float, float]:
    """LQR gain of the semi-implicit Euler step the env integrates, linearised at upright."""
    A = np.array([[1.0 + a * dt * dt, dt], [a * dt, 1.0]])
    B = np.array([[b * dt * dt], [b * dt]])
    Q, R = np.diag([1.0, 0.1]), np.array([[0.001]])
    P = solve_discrete_are(A, B, Q, R)
    gain = np.linalg.solve(R + B.T @ P @ B, B.T @ P @ A)[0]
    return float(gain[0]), float(gain[1])
