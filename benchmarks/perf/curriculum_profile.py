"""Where the main process spends its time when PPO trains with a curriculum: a cProfile run.

Trains the curriculum side of :mod:`benchmarks.perf.throughput` alone (PPO on ``cartpole``,
``SubprocVecEnv(4)``, the same hyperparameters, one torch thread) under ``cProfile`` and prints
the share of the main process's CPU time (waits on the workers left out) spent in curriculum
code: the SB3 callback's hooks (:class:`~students.callback.CurriculumCallback` and its
subclasses, which run the teacher's ``sample_task``, ``update`` and ``on_rollout_end`` and
restart the envs when a rollout-mode teacher switches), then the curriculum functions that take
most of it. Unlike a wall-time ratio, the share moves little with the load of other tenants.

    python -m benchmarks.perf.curriculum_profile [--teacher plr] [--steps 40960]
        [--set n_epochs=1] [--top 15]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from pathlib import Path

import torch

from benchmarks.perf.throughput import curriculum, ppo_params

HOOKS = ("on_step", "on_rollout_start", "on_rollout_end", "on_training_start")
"""``BaseCallback`` entry points SB3 calls; their cumulative time is the curriculum's cost."""

CURRICULUM_FILES = ("students/callback.py", "students/rollout_modes.py", "envs/curriculum.py")
CURRICULUM_FOLDERS = ("/teachers/",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teacher", default="plr", help="teacher of the curriculum")
    parser.add_argument("--steps", type=int, default=40960, help="profiled env steps")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="PPO hyperparameter"
    )
    parser.add_argument("--top", type=int, default=15, help="curriculum functions listed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    params = ppo_params(args.set)
    learn, close = curriculum(params, seed=0, teacher_name=args.teacher)
    try:
        learn(4096)  # warm-up, unprofiled
        profile = cProfile.Profile(time.process_time)  # CPU: waits on workers excluded
        profile.enable()
        learn(args.steps)
        profile.disable()
    finally:
        close()
    stats = pstats.Stats(profile)
    table = stats.stats  # type: ignore[attr-defined]
    total = stats.total_tt  # type: ignore[attr-defined]
    hooks = sum(
        cumulative
        for (path, _, name), (_, _, _, cumulative, _) in table.items()
        if name in HOOKS and path.endswith("stable_baselines3/common/callbacks.py")
    )
    print(f"PPO on cartpole, SubprocVecEnv(4), teacher {args.teacher!r}, params {params}")
    print(
        f"profiled {args.steps} steps: {total:.2f} s of main-process CPU, {hooks:.2f} s "
        f"({100 * hooks / total:.1f}%) in the curriculum callback's hooks"
    )
    rows = [
        (cumulative, own, calls, f"{'/'.join(Path(path).parts[-2:])}:{line}({name})")
        for (path, line, name), (_, calls, own, cumulative, _) in table.items()
        if path.endswith(CURRICULUM_FILES) or any(f in path for f in CURRICULUM_FOLDERS)
    ]
    print(f"{'cumulative s':>12} {'own s':>8} {'% total':>8} {'calls':>8}  function")
    for cumulative, own, calls, where in sorted(rows, reverse=True)[: args.top]:
        print(f"{cumulative:12.3f} {own:8.3f} {100 * cumulative / total:8.2f} {calls:8d}  {where}")


if __name__ == "__main__":
    main()
