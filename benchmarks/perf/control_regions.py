"""Evidence for the easy / hard / unlearnable regions of the control envs.

A full-state scripted controller (:mod:`envs.controllers`) reads the true physics, which a
learner never sees. Where it cannot beat the mastered threshold, the task is unsolvable by
physics rather than for want of tuning. For each env this prints the controller's success rate
(return above ``mastered_threshold``) over ``--seeds`` starts at probe tasks of each region,
then its "ceiling" on the env's test set and on the easy test set of
``benchmarks/perf/easy_region.py``: one episode per task from start seed ``10_000 + i``, as
the learners are evaluated.

    python -m benchmarks.perf.control_regions [--env cartpole] [--seeds 10]
"""

from __future__ import annotations

import argparse

import numpy as np

from aclbench import envs
from aclbench.envs.controllers import (
    Controller,
    cartpole_action,
    episode_return,
    lunarlander_action,
    mountaincar_force,
    pendulum_torque,
)
from aclbench.task_space import TaskSpace
from benchmarks.perf.easy_region import EASY

CONTROLLERS: dict[str, Controller] = {
    "cartpole": cartpole_action,
    "pendulum": pendulum_torque,
    "mountaincar": mountaincar_force,
    "lunarlander": lunarlander_action,
}

PROBES: dict[str, dict[str, list[tuple[float, ...]]]] = {
    "cartpole": {  # (pole_length, pole_mass, force_mag)
        "easy": [(0.5, 0.1, 10.0), (0.4, 0.5, 20.0), (0.3, 1.0, 5.0)],
        "hard": [(0.03, 0.1, 20.0), (0.1, 0.5, 60.0), (0.2, 0.1, 100.0)],
        "unlearnable": [(0.02, 0.1, 20.0), (0.05, 0.1, 50.0), (0.1, 0.5, 100.0)],
    },
    "pendulum": {  # (mass, length, gravity)
        "easy": [(0.75, 0.75, 6.0), (1.0, 1.0, 10.0), (0.5, 0.5, 2.0)],
        "hard": [(2.0, 1.0, 10.0), (1.0, 2.0, 10.0), (2.0, 1.5, 5.0)],
        "unlearnable": [(4.0, 2.0, 20.0), (4.0, 1.5, 15.0), (4.0, 0.5, 20.0)],
    },
    "mountaincar": {  # (power, goal_position)
        "easy": [(0.0028, -0.1), (0.0025, 0.2), (0.003, 0.0)],
        "hard": [(0.0015, 0.45), (0.0005, 0.5), (0.0003, 0.6)],
        "unlearnable": [(0.0002, 0.5), (0.0001, 0.3), (0.0, -0.2)],
    },
    "lunarlander": {  # (gravity, wind_power, turbulence_power)
        "easy": [(-10.0, 0.0, 0.0), (-6.0, 0.0, 0.0), (-13.0, 0.0, 0.0)],
        "hard": [(-10.0, 20.0, 0.0), (-10.0, 0.0, 4.0), (-16.0, 0.0, 0.0)],
        "unlearnable": [(-17.5, 0.0, 0.0), (-19.0, 0.0, 0.0), (-20.0, 10.0, 2.0)],
    },
}


def success(env_name: str, tasks: np.ndarray, seeds: list[int] | None = None) -> np.ndarray:
    """Controller success (return > threshold) per task; ``seeds[i]`` starts task ``i``."""
    env = envs.make_env(env_name)
    threshold = envs.task_env(env).mastered_threshold
    seeds = list(range(10_000, 10_000 + len(tasks))) if seeds is None else seeds
    won = [
        episode_return(env, CONTROLLERS[env_name], task, seed) > threshold
        for task, seed in zip(tasks, seeds, strict=True)
    ]
    env.close()
    return np.array(won)


def report(env_name: str, n_seeds: int) -> None:
    print(f"== {env_name}: controller success over {n_seeds} starts", flush=True)
    for region, tasks in PROBES[env_name].items():
        for task in tasks:
            rate = success(env_name, np.array([task] * n_seeds), list(range(n_seeds))).mean()
            print(f"  {region:12s} {str(task):28s} {rate:5.0%}", flush=True)
    probe = envs.task_env(envs.make_env(env_name))
    test = success(env_name, probe.test_tasks())
    print(f"  ceiling on the test set: {test.mean():.0%} of {len(test)} tasks", flush=True)
    easy_region = EASY.get(env_name)
    if easy_region is not None:
        bounds = {d.name: (d.low, d.high) for d in probe.task_space.dims}
        box = TaskSpace({**bounds, **easy_region.box})
        easy = success(env_name, box.grid(easy_region.points_per_dim))
        print(f"  ceiling on the easy test set: {easy.mean():.0%} of {len(easy)}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", choices=sorted(PROBES), default=None, help="default: all")
    parser.add_argument("--seeds", type=int, default=10, help="starts per probe task")
    args = parser.parse_args(argv)
    for name in [args.env] if args.env else sorted(PROBES):
        report(name, args.seeds)


if __name__ == "__main__":
    main()
