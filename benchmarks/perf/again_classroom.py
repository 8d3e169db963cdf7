"""AGAIN against ALP-GMM on new students of a family the classroom was taught on.

Meta-ACL (Portelas, Romac, Hofmann and Oudeyer 2020) on the toy bench: the family is the toy
env with competence spreading from each of the four corners of the 2-D space
(``env.origin``), as the paper's classroom toy env, whose students differ by a rotation of the
space. The script

1. builds a classroom: ``alp-gmm`` runs of the ``simulated`` student, every corner x
   ``--classroom-seeds`` seeds, with the harness (the same run folders ``aclbench run`` and
   ``aclbench suite`` write);
2. trains new students (every corner x ``--test-seeds`` other seeds) with ``alp-gmm`` and with
   ``again`` on that classroom, same seeds, same budget;
3. prints the % of mastered test cells of both teachers at a few points of the budget, the
   mean over new students, their paired difference and a paired t-test.

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
    parser.add_argument("--workers", type=int, default=1, help="runs trained at once")
    args = parser.parse_args(argv)
    classroom = args.out / "classroom"
    again_params = {"classroom": str(classroom), "replay": args.replay}
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
        jobs += [
            pool.submit(train, args.out / "alp-gmm" / name, "alp-gmm", o, seed, args)
            for name, o, seed in students
        ]
        for job in jobs:
            print(f"done: {job.result()}", flush=True)
        again_dir = args.out / f"again-{args.replay}"
        jobs = [
            pool.submit(train, again_dir / name, "again", o, seed, args, again_params)
            for name, o, seed in students
        ]
        for job in jobs:
            print(f"done: {job.result()}", flush=True)
    rows = [
        {"alp-gmm": mastered(args.out / "alp-gmm" / name), "again": mastered(again_dir / name)}
        for name, _, _ in students
    ]
    print()
    print(
        f"{len(rows)} new students (4 corners x {args.test_seeds} seeds), classroom of "
        f"{4 * args.classroom_seeds} alp-gmm runs, {args.steps} episodes, AGAIN replay "
        f"{args.replay!r}; % of mastered test cells, mean (std) over new students:"
    )
    print(f"{'episodes':>9} {'alp-gmm':>14} {'again':>14} {'again - alp-gmm':>16} {'paired p':>9}")
    for step in sorted({args.steps // 4, args.steps // 2, args.steps}):
        alp = np.array([r["alp-gmm"].loc[step] for r in rows])
        again = np.array([r["again"].loc[step] for r in rows])
        diff = again - alp
        p = stats.ttest_rel(again, alp).pvalue if diff.std() > 0 else float("nan")
        print(
            f"{step:>9} {alp.mean():>7.1f} ({alp.std(ddof=1):>4.1f}) "
            f"{again.mean():>7.1f} ({again.std(ddof=1):>4.1f}) {diff.mean():>+16.1f} {p:>9.3g}"
        )
    for name, _, _ in students:
        expert = json.loads((again_dir / name / "teacher_log.jsonl").read_text().splitlines()[-1])[
            "state"
        ]["expert"]
        print(f"{name}: expert {expert}")


if __name__ == "__main__":
    main()
