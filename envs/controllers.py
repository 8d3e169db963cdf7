"""Full-state scripted controllers for the control envs, and a rollout helper.

They are the evidence behind each env's easy / hard / unlearnable regions: where a good
controller that reads the true physics cannot reach the mastered threshold, the task is
unsolvable by physics, not for want of tuning a learner. They read the env's current physics
attributes (set from the task at reset), which a learner never sees.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import solve_discrete_are

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


# --- mountaincar -------------------------------------------------------------------------
def mountaincar_force(env: Any, obs: NDArray[np.floating]) -> NDArray:
    """Full throttle along the velocity (the largest energy gain per step); at rest, along the
    pull of the slope, so that the first swing already adds energy."""
    position, velocity = float(obs[0]), float(obs[1])
    direction = velocity if velocity != 0 else -np.cos(3.0 * position)
    return np.array([1.0 if direction >= 0 else -1.0], dtype=np.float32)


# --- lunarlander -------------------------------------------------------------------------
LANDER_MAIN_ACCEL = 18.0
"""Measured: m/s^2 that the main engine at full throttle gives the upright lander (4.96 kg)."""
LANDER_SIDE_ANGULAR_ACCEL = 4.86
"""Measured: rad/s^2 that one side engine at full throttle gives the lander (inertia 0.83)."""


def lunarlander_action(env: Any, obs: NDArray[np.floating]) -> NDArray:
    """Gymnasium's heuristic lander, made aware of the task: the throttle cancels the gravity
    and tracks a descent speed proportional to height, the side engines cancel the turbulence
    torque of this step, and the attitude target leans into the wind. It reads the wind and
    turbulence of the coming step from the env, which a learner cannot."""
    gravity = -float(env.gravity)
    lander = env.lander
    wind_accel, turbulence_accel = 0.0, 0.0
    if env.enable_wind:
        mass = lander.mass + sum(leg.mass for leg in env.legs)
        wind_accel = _gust(env.wind_idx) * env.wind_power / mass
        turbulence_accel = _gust(env.torque_idx) * env.turbulence_power / lander.inertia
    angle_target = np.clip(obs[0] * 0.5 + obs[2] + wind_accel / max(gravity, 1.0), -0.6, 0.6)
    angle_todo = (angle_target - obs[4]) * 0.5 - obs[5]
    side = -angle_todo * 20.0 + turbulence_accel / LANDER_SIDE_ANGULAR_ACCEL
    height = float(obs[1]) * 400.0 / 30.0 / 2.0  # metres above the pad
    descent = -(0.3 + 0.5 * max(height, 0.0))
    accel = gravity + 3.0 * (descent - lander.linearVelocity.y)
    full = LANDER_MAIN_ACCEL * max(np.cos(lander.angle), 0.3)
    # The engine runs at 50% to 100% when on. Below 50% wanted, fire (at 50%) only while the
    # lander falls faster than the target, so that the pulses average to the wanted thrust.
    fire = accel >= min(gravity, 0.5 * full) and not (obs[6] or obs[7])
    main = max(2.0 * accel / full - 1.0, 0.01) if fire else -1.0
    return np.clip(np.array([main, side], dtype=np.float32), -1.0, 1.0)


def _gust(index: int) -> float:
    """The stock env's non-periodic wind and turbulence profile at step ``index``."""
    return float(np.tanh(np.sin(0.02 * index) + np.sin(np.pi * 0.01 * index)))


# --- cartpole ----------------------------------------------------------------------------
LOOKAHEAD = 8
_PUSHES = np.array(list(itertools.product((-1.0, 1.0), repeat=LOOKAHEAD)))  # 2^8 x 8


def cartpole_action(env: Any, obs: NDArray[np.floating]) -> int:
    """Model-predictive control over the env's +-force_mag pushes: simulate every sequence of
    the next 8 pushes with the env's own equations and physics; take the first push of the
    sequence that stays within the bounds longest, ties broken by the LQR cost-to-go of the
    linearised cart-pole at the end (which sees further than 8 steps)."""
    n = len(_PUSHES)
    state = [np.full(n, float(v)) for v in env.state]
    x, x_dot, theta, theta_dot = state
    total, pole, pole_length = env.total_mass, env.masspole, env.length
    alive, score = np.ones(n, dtype=bool), np.zeros(n)
    for k in range(LOOKAHEAD):
        force = _PUSHES[:, k] * env.force_mag
        cos, sin = np.cos(theta), np.sin(theta)
        temp = (force + env.polemass_length * theta_dot**2 * sin) / total
        theta_acc = (env.gravity * sin - cos * temp) / (
            pole_length * (4.0 / 3.0 - pole * cos**2 / total)
        )
        x_acc = temp - env.polemass_length * theta_acc * cos / total
        x, x_dot = x + env.tau * x_dot, x_dot + env.tau * x_acc
        theta, theta_dot = theta + env.tau * theta_dot, theta_dot + env.tau * theta_acc
        alive &= (np.abs(theta) < env.theta_threshold_radians) & (np.abs(x) < env.x_threshold)
        score += alive
    end = np.stack([x, x_dot, theta, theta_dot])
    cost = np.einsum("in,ij,jn->n", end, _cartpole_cost_to_go(pole_length, pole, total), end)
    return int(_PUSHES[np.argmax(score - cost / (1.0 + cost)), 0] > 0)


@functools.lru_cache(maxsize=256)
def _cartpole_cost_to_go(length: float, masspole: float, total: float) -> NDArray[np.float64]:
    """Riccati matrix of the LQR of the cart-pole linearised upright (state x, x', theta,
    theta'; 50 Hz Euler steps, gravity 9.8)."""
    c = length * (4.0 / 3.0 - masspole / total)
    A = np.zeros((4, 4))
    A[0, 1] = A[2, 3] = 1.0
    A[3, 2] = 9.8 / c
    A[1, 2] = -masspole * length * 9.8 / (c * total)
    B = np.array(
        [[0.0], [1.0 / total + masspole * length / (c * total**2)], [0.0], [-1.0 / (c * total)]]
    )
    dt = 0.02
    return solve_discrete_are(np.eye(4) + dt * A, dt * B, np.diag([1.0, 1.0, 10.0, 1.0]), np.eye(1))
