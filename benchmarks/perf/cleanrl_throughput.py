"""CleanRL-style PPO throughput with the curriculum channel, against the same loop without it.

Runs ``examples/cleanrl_ppo.py``'s ``train`` (PPO on ``cartpole``, ``AsyncVectorEnv`` of 4
workers, torch only) alternately with a curriculum (``--teacher``, default ``random``, so that
the channel is measured rather than a teacher's own fitting) and on plain envs that draw their
own uniform tasks (the same distribution as ``random``). Each run's rate is its env steps
over the time of its training loop (from the first ``reset`` on: worker start-up is left out);
the ratio is summed steps over summed seconds, curriculum / plain, with runs alternating so
that a drifting load on a shared machine falls on both sides. Goal: ratio >= 0.95.

    python -m benchmarks.perf.cleanrl_throughput [--steps 8192] [--runs 4] [--teacher random]
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from types import ModuleType

import torch

EXAMPLE = Path(__file__).parents[2] / "examples" / "cleanrl_ppo.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cleanrl_ppo", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=8192, help="env steps per run")
    parser.add_argument("--runs", type=int, default=4, help="runs per side")
    parser.add_argument("--teacher", default="random", help="teacher of the curriculum side")
    args = parser.parse_args()
    torch.set_num_threads(1)
    example = load_example()
    totals = {side: [0, 0.0] for side in ("plain", "curriculum")}
    for run in range(args.runs):
        order = [False, True] if run % 2 == 0 else [True, False]
        for use_curriculum in order:
            result = example.train(
                args.steps, use_curriculum=use_curriculum, seed=run, teacher_name=args.teacher
            )
            side = "curriculum" if use_curriculum else "plain"
            totals[side][0] += result["steps"]
            totals[side][1] += result["seconds"]
            print(f"run {run} {side:>10}: {result['steps'] / result['seconds']:6.0f} steps/s")
    rate = {side: steps / seconds for side, (steps, seconds) in totals.items()}
    print(
        f"plain {rate['plain']:.0f} steps/s, curriculum {rate['curriculum']:.0f} steps/s, "
        f"ratio curriculum / plain {rate['curriculum'] / rate['plain']:.3f}"
    )


if __name__ == "__main__":
    main()
