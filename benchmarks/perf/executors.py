"""Wall time of one small suite on 1 and 2 local workers and on a local Ray instance.

Goals (issue "runs that survive and scale", and the challenge profile's, whose hundreds of
runs last seconds each): 2 local workers at 1.8x or more of 1 worker; Ray within 10% of the
local pool with the same parallelism. ``--kind ppo`` (the default): CartPole PPO runs long
enough (4 x 20k steps) that process start-up does not dominate; ``--kind sim``: runs of the
challenge profile (ALP-GMM and random on the 6 x 6 toy bench, 6,000 episodes), where per-run
costs (imports, writes) do; ``--runs 240`` is the size of one teacher's profile, over which
the pools' start-up (and Ray's) is spread as in ``aclbench profile``.

    python -m benchmarks.perf.executors [--kind ppo|sim] [--runs 4] [--steps 20000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aclbench.harness.executors import run_local, run_ray
from aclbench.harness.suite import Suite


def suite(runs: int, steps: int) -> Suite:
    return Suite.parse(
        f"""
name = "scaling"
envs = ["cartpole"]
teachers = ["random"]
students = ["ppo"]
seeds = {list(range(runs))}
steps = {steps}
eval_interval = {steps}
"""
    )


def sim_suite(runs: int) -> Suite:
    """``runs`` runs of the challenge profile's toy bench, half ALP-GMM, half random."""
    # Imported here: spawned workers import this script again, and the profile module brings
    # the report's plotting, which `aclbench` workers never import.
    from aclbench.harness.profile import suite_text, toy_challenge

    text = suite_text(toy_challenge("challenge-perf"), ["alp-gmm", "random"], max(1, runs // 2))
    return Suite.parse(text)


def timed(label: str, execute: Callable[[Path], dict[Path, dict[str, Any]]]) -> float:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        statuses = execute(Path(out))
        wall = time.perf_counter() - start
    states = {status["state"] for status in statuses.values()}
    assert states == {"done"}, f"{label}: runs ended {states}"
    print(f"{label:<22} {wall:8.1f} s")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=["ppo", "sim"], default="ppo")
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--steps", type=int, default=20000, help="PPO runs' budget")
    args = parser.parse_args()
    runs = (suite(args.runs, args.steps) if args.kind == "ppo" else sim_suite(args.runs)).runs
    one = timed("local, 1 worker", lambda out: run_local(runs, out, workers=1))
    two = timed("local, 2 workers", lambda out: run_local(runs, out, workers=2))
    ray = timed("ray, 2 CPUs", lambda out: run_ray(runs, out, num_cpus=2))
    print(f"speed-up of 2 workers over 1: {one / two:.2f}x (goal >= 1.8)")
    print(f"ray / local pool (2 each):    {two / ray:.2f}  (goal >= 0.9)")


if __name__ == "__main__":
    main()
