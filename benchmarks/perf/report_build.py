"""Time of ``aclbench report`` on a suite-sized synthetic results folder, by phase.

Writes ``envs`` x ``teachers`` x ``seeds`` runs with the runner's own writers
(:class:`~benchmarks.results.RunRecorder`: 21 evaluations on 100 test tasks, ``episodes``
training episodes and a GMM-shaped teacher log each), then times loading, the final table, the
aggregates, the curves of one env and teacher, and the whole report, and prints the share of the
whole spent outside the bootstrap (figures, rendering). Figures scale with the number of bootstrap
resamples (``--reps``) and of (env, teacher) pairs.

Run: ``python -m benchmarks.perf.report_build [--envs 3] [--teachers 4] [--seeds 5] [--reps 2000]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from aclbench.harness.config import RunConfig
from aclbench.harness.report import build_report, stats
from aclbench.harness.report.runs import load_results
from aclbench.harness.results import RunRecorder, write_status
from aclbench.task_space import TaskSpace

SPACE = TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)})


def write_suite(root: Path, n_envs: int, n_teachers: int, n_seeds: int, episodes: int) -> None:
    rng = np.random.default_rng(0)
    tests = SPACE.grid(10)
    for e in range(n_envs):
        for t in range(n_teachers):
            teacher = "random" if t == 0 else f"teacher-{t}"
            for seed in range(n_seeds):
                run_dir = root / "suite" / f"env-{e}" / teacher / f"seed-{seed}"
                recorder = RunRecorder(run_dir, SPACE, tests, mastered_threshold=0.5)
                config = RunConfig(f"env-{e}", teacher, "simulated", seed, 20_000, suite="suite")
                config.resolved().save(run_dir / "config.toml")
                skill = rng.uniform(0.2, 0.4) + 0.1 * t
                for k in range(21):
                    step = k * 1000
                    for _ in range(episodes // 21):
                        task = SPACE.sample(rng)
                        recorder.add_episode(task, float(rng.random()), step)
                    returns = rng.random(len(tests)) * skill * 2 * k / 20
                    mean = SPACE.sample(rng).tolist()
                    state = {"gaussians": [{"mean": mean, "covariance": np.eye(2).tolist()}]}
                    recorder.add_evaluation(step, returns, state)
                recorder.flush()  # as the runner does at a run's end
                write_status(run_dir, {"state": "done", "wall_s": 1.0})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--envs", type=int, default=3)
    parser.add_argument("--teachers", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "results"
        started = time.perf_counter()
        write_suite(root, args.envs, args.teachers, args.seeds, args.episodes)
        print(
            f"wrote {args.envs * args.teachers * args.seeds} runs in "
            f"{time.perf_counter() - started:.1f} s"
        )
        timings = {}
        started = time.perf_counter()
        results = load_results([root])
        timings["load"] = time.perf_counter() - started
        started = time.perf_counter()
        rows = stats.final_table(results, "iqm", args.reps, seed=0)
        timings["final table"] = time.perf_counter() - started
        started = time.perf_counter()
        stats.aggregates(results, rows, args.reps, seed=0)
        timings["aggregates"] = time.perf_counter() - started
        started = time.perf_counter()
        group = results.group(results.envs[0], results.teachers[0])
        stats.learning_curves(group, ("mastered_pct", "mean_return"), "iqm", args.reps, seed=0)
        timings["one env+teacher's curves"] = time.perf_counter() - started
        started = time.perf_counter()
        html = build_report([root], reps=args.reps)
        timings["whole report"] = time.perf_counter() - started
        size = html.stat().st_size / 1e6
    bootstrap = timings["final table"] + timings["aggregates"]
    bootstrap += timings["one env+teacher's curves"] * args.envs * args.teachers
    for name, seconds in timings.items():
        print(f"{name:>26}: {seconds:7.2f} s")
    print(
        f"{'share outside bootstrap':>26}: {1 - bootstrap / timings['whole report']:7.0%} "
        f"(figures, rendering; bootstrap estimated from the phases above)"
    )
    print(f"report.html: {size:.1f} MB")


if __name__ == "__main__":
    main()
