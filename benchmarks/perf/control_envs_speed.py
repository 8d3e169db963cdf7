"""Speed of the control envs next to the stock Gymnasium env each extends, in the same run.

For each :class:`Row` this prints steps per second (random actions; the resets between
episodes are not timed) and the time of one reset with a new task (for the stock env, a plain
reset), both as ratios ``ours / stock`` of speed: 1.0 is as fast as stock, the goal is 0.9.
Both envs come from ``gymnasium.make`` (same wrappers). They are measured in alternating rounds
and each figure is the median over rounds, so that load from other processes hits both alike.
Same layout as ``benchmarks/perf/envs_speed.py`` (Stump Tracks), to be merged into one table.

    python -m benchmarks.perf.control_envs_speed [--steps N] [--resets N] [--rounds R]
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

import envs  # noqa: F401  (registers the aclbench/... ids)


@dataclass(frozen=True)
class Row:
    """One comparison: our env (Gymnasium id and kwargs) against the stock env it extends."""

    env_id: str
    stock_id: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    stock_kwargs: dict[str, Any] = field(default_factory=dict)
    task: tuple[float, ...] | None = None  # every episode on this task; None: uniform tasks
    goal: float = 0.9  # smallest acceptable speed ratio, for steps and for resets

    @property
    def label(self) -> str:
        return self.env_id if self.task is None else f"{self.env_id}(task={list(self.task)})"


ROWS: list[Row] = [
    Row("aclbench/CartPole-v0", "CartPole-v1"),
    Row("aclbench/Pendulum-v0", "Pendulum-v1"),
    Row("aclbench/MountainCar-v0", "MountainCarContinuous-v0"),
    Row("aclbench/LunarLander-v0", "LunarLanderContinuous-v3"),
    # The stock physics (no wind): the same work per step as the stock env.
    Row("aclbench/LunarLander-v0", "LunarLanderContinuous-v3", task=(-10.0, 0.0, 0.0)),
]


def _options(env: gym.Env, rng: np.random.Generator, task: tuple[float, ...] | None) -> Any:
    """Reset options for a new task (ours), or none (stock)."""
    space = getattr(env.unwrapped, "task_space", None)
    if space is None:
        return None
    return {"task": space.sample(rng) if task is None else np.array(task)}


def steps_per_second(env: gym.Env, n_steps: int, seed: int, task: Any) -> float:
    """Random-action steps per second; the resets between episodes are not timed."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed, options=_options(env, rng, task))
    env.action_space.seed(seed)
    actions = [env.action_space.sample() for _ in range(n_steps)]
    elapsed = 0.0
    for action in actions:
        start = time.perf_counter()
        _, _, terminated, truncated, _ = env.step(action)
        elapsed += time.perf_counter() - start
        if terminated or truncated:
            env.reset(options=_options(env, rng, task))
    return n_steps / elapsed


def reset_seconds(env: gym.Env, n_resets: int, seed: int, task: Any) -> float:
    """Mean seconds of one reset with a new task (the tasks are drawn before the timing)."""
    rng = np.random.default_rng(seed)
    env.reset(seed=seed)
    options = [_options(env, rng, task) for _ in range(n_resets)]
    start = time.perf_counter()
    for option in options:
        env.reset(options=option)
    return (time.perf_counter() - start) / n_resets


def measure(row: Row, n_steps: int, n_resets: int, rounds: int) -> dict[str, float]:
    """Medians over ``rounds`` alternating rounds of ours and stock."""
    ours = gym.make(row.env_id, **row.kwargs)
    stock = gym.make(row.stock_id, **row.stock_kwargs)
    figures: dict[str, list[float]] = {"sps": [], "stock_sps": [], "reset": [], "stock_reset": []}
    for r in range(rounds):
        pairs = [(ours, ""), (stock, "stock_")]
        for env, prefix in pairs if r % 2 == 0 else pairs[::-1]:
            figures[prefix + "sps"].append(steps_per_second(env, n_steps, r, row.task))
            figures[prefix + "reset"].append(reset_seconds(env, n_resets, r, row.task))
    ours.close()
    stock.close()
    med = {key: statistics.median(values) for key, values in figures.items()}
    med["sps_ratio"] = med["sps"] / med["stock_sps"]
    med["reset_ratio"] = med["stock_reset"] / med["reset"]
    return med


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20_000, help="timed steps per round")
    parser.add_argument("--resets", type=int, default=2_000, help="timed resets per round")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (median)")
    parser.add_argument("--only", default="", help="keep rows whose label contains this")
    args = parser.parse_args(argv)
    header = (
        f"{'env':<44} {'stock':<26} {'steps/s':>8} {'stock':>8} {'ratio':>6}"
        f" {'reset us':>9} {'stock':>7} {'ratio':>6}  goal"
    )
    print(header)
    print("-" * len(header))
    for row in [row for row in ROWS if args.only in row.label]:
        m = measure(row, args.steps, args.resets, args.rounds)
        ok = min(m["sps_ratio"], m["reset_ratio"]) >= row.goal
        print(
            f"{row.label:<44} {row.stock_id:<26} {m['sps']:>8.0f} {m['stock_sps']:>8.0f}"
            f" {m['sps_ratio']:>6.2f} {m['reset'] * 1e6:>9.1f} {m['stock_reset'] * 1e6:>7.1f}"
            f" {m['reset_ratio']:>6.2f}  {'ok' if ok else 'BELOW'} (>= {row.goal})",
            flush=True,
        )
    print("ratio = our speed / stock speed, same run; medians over alternating rounds")


if __name__ == "__main__":
    main()
