"""AGAIN against ALP-GMM on new students of a family the classroom was taught on.

Meta-ACL (Portelas, Romac, Hofmann and Oudeyer 2020) on the toy bench: the family is the toy
env with competence spreading from each of the four corners of the 2-D space
(``env.origin``), as the paper's classroom toy env, whose students differ by a rotation of the
space. The script

1. builds a classroom: ``alp-gmm`` runs of the ``simulated`` student, every corner x
   ``--classroom-seeds`` seeds, with the harness (the same run folders ``aclbench run`` and
   ``aclbench suite`` write);
2. trains new students (every corner x ``--test-seeds`` other seeds) with ``alp-gmm`` and with
   ``again`` on that classroom, same seeds, same budget (with ``--control``, also ALP-GMM
   with AGAIN's 2% of uniform tasks instead of its own 20%, to tell the classroom's share of
   the difference from that of the uniform share);
3. prints the % of mastered test cells of each teacher at a few points of the budget, the
   mean over new students, AGAIN's difference paired by student and a paired t-test, and the
   classroom run each new student was matched to.

Run from the repository root (about 10 s of CPU a run; 40 runs by default)::

    python -m benchmarks.perf.again_classroom --out /tmp/again-bench --workers 2
    python -m benchmarks.perf.again_classroom --out /tmp/q --classroom-seeds 1 --test-seeds 1

Runs already done under ``--out`` are reused, so a second call with more seeds only trains
the new ones.
"""

from __future__ import annotations

import argparse
import itertools
import json
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from aclbench.harness.config import RunConfig
from aclbench.harness.results import read_status
from aclbench.harness.runner import run

CORNERS = [list(c) for c in itertools.product((0, 1), repeat=2)]
TEST_SEED_OFFSET = 1000
"""New students' seeds start here, away from the classroom's."""


def train(
    out: Path,
    teacher: str,
    origin: list[int],
    seed: int,
    args: argparse.Namespace,
    teacher_params: dict[str, Any] | None = None,
) -> Path:
    """One run of the family's student ``origin`` into ``out``; reused if already done."""
    if read_status(out)["state"] != "done":
        config = RunConfig(
            env="toy",
            teacher=teacher,
            student="simulated",
            seed=seed,
            steps=args.steps,
            eval_interval=args.eval_interval,
            env_kwargs={"origin": origin},
            teacher_params=teacher_params or {},
        )
        status = run(config, out)
        if status["state"] != "done":
            raise RuntimeError(f"{out}: {status.get('error')}")
    return out


def mastered(run_dir: Path) -> pd.Series:
    """% of mastered test cells by env step."""
    return pd.read_csv(run_dir / "eval.csv").set_index("env_steps")["mastered_pct"]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--classroom-seeds", type=int, default=6)
    parser.add_argument("--test-seeds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--eval-interval", type=int, default=1_000)
    parser.add_argument("--replay", default="reward", help="AGAIN's replay")
    parser.add_argument(
        "--control",
        action="store_true",
        help="also ALP-GMM with AGAIN's 2%% of uniform tasks (its own default is 20%%)",
    )
    parser.add_argument("--workers", type=int, default=1, help="runs trained at once")
    args = parser.parse_args(argv)
    classroom = args.out / "classroom"
    baselines: dict[str, dict[str, Any]] = {"alp-gmm": {}}
    if args.control:
        baselines["alp-gmm-rnd2"] = {"random_task_ratio": 0.02}
    teachers: dict[str, tuple[str, dict[str, Any]]] = {
        name: ("alp-gmm", params) for name, params in baselines.items()
    }
    teachers[f"again-{args.replay}"] = (
        "again",
        {"classroom": str(classroom), "replay": args.replay},
    )
    students = [
        (f"origin-{o[0]}{o[1]}-seed-{TEST_SEED_OFFSET + k}", o, TEST_SEED_OFFSET + k)
        for o, k in itertools.product(CORNERS, range(args.test_seeds))
    ]
    with ProcessPoolExecutor(args.workers) as pool:
        jobs = [
            pool.submit(
                train, classroom / f"origin-{o[0]}{o[1]}-seed-{seed}", "alp-gmm", o, seed, args
            )
            for o, seed in itertools.product(CORNERS, range(args.classroom_seeds))
        ]
        for job in jobs:  # the classroom first: AGAIN reads it when it is built
            print(f"done: {job.result()}", flush=True)
        jobs = [
            pool.submit(train, args.out / folder / name, teacher, o, seed, args, params)
            for folder, (teacher, params) in teachers.items()
            for name, o, seed in students
        ]
        for job in jobs:
            print(f"done: {job.result()}", flush=True)
    curves = {
        folder: [mastered(args.out / folder / name) for name, _, _ in students]
        for folder in teachers
    }
    again = f"again-{args.replay}"
    print()
    print(
        f"{len(students)} new students (4 corners x {args.test_seeds} seeds), classroom of "
        f"{4 * args.classroom_seeds} alp-gmm runs, {args.steps} episodes; % of mastered test "
        "cells, mean (std) over new students; difference paired by student, paired t-test:"
    )
    print(f"{'episodes':>9} {'teacher':>14} {'mastered %':>14} {again + ' - it':>18} {'p':>9}")
    for step in sorted({args.steps // 4, args.steps // 2, args.steps}):
        ours = np.array([curve.loc[step] for curve in curves[again]])
        for folder in teachers:
            values = np.array([curve.loc[step] for curve in curves[folder]])
            diff = ours - values
            p = stats.ttest_rel(ours, values).pvalue if diff.std() > 0 else float("nan")
            compared = "" if folder == again else f"{diff.mean():+.1f}"
            shown = "" if folder == again else f"{p:.3g}"
            print(
                f"{step:>9} {folder:>14} {values.mean():>7.1f} ({values.std(ddof=1):>4.1f})"
                f" {compared:>18} {shown:>9}"
            )
    for i, (name, _, _) in enumerate(students):
        last = (args.out / again / name / "teacher_log.jsonl").read_text().splitlines()[-1]
        finals = ", ".join(f"{folder} {curves[folder][i].iloc[-1]:.0f}%" for folder in teachers)
        print(f"{name}: expert {json.loads(last)['state']['expert']}; final {finals}")


if __name__ == "__main__":
    main()
