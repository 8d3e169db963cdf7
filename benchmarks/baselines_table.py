"""The headline table of the stored baselines: final % mastered per env and teacher.

Reads every suite folder below ``results/baselines`` (the layout ``aclbench suite --out`` writes)
with the report's own loader and statistics, and prints one Markdown row per env and teacher:
the mean final % of test tasks mastered with its 95% bootstrap interval (rliable, as in the
report), the ratio of that mean to ``random``'s (TeachMyAgent's radar), the difference to
``random`` with a 95% bootstrap interval, and Welch's two-sided t-test against ``random`` with
the number of seeds on each side. A teacher is called above (or below) random only where both
hold: p < 0.05 and the interval of the difference excludes 0; and only where the test means
something: at least 5 seeds on each side and some variance (the report's own rule,
``stats.untestable``).

    python -m benchmarks.baselines_table                       # print the table
    python -m benchmarks.baselines_table --write results/README.md

``--write`` replaces the text between the markers :data:`START` and :data:`END` of that file.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import scipy.stats

from aclbench.errors import ConfigError
from aclbench.harness.report import stats
from aclbench.harness.report.runs import Run, load_results
from aclbench.harness.report.tables import with_interval

START = "<!-- baselines-table:start (python -m benchmarks.baselines_table --write) -->"
END = "<!-- baselines-table:end -->"
REPS = 2000
SEED = 0

HEADERS = (
    "suite",
    "env",
    "teacher",
    "final % mastered: mean [95% CI]",
    "ratio to random",
    "difference to random [95% CI]",
    "Welch p (n teacher, n random)",
    "vs random",
)


def difference_interval(scores: np.ndarray, reference: np.ndarray) -> tuple[float, float, float]:
    """Mean difference ``scores - reference`` and its 95% percentile bootstrap interval (each
    sample resampled on its own; scipy's ``bootstrap``, seeded); NaN bounds with fewer than
    two seeds on a side."""
    diff = float(np.mean(scores) - np.mean(reference))
    if min(scores.size, reference.size) < 2:
        return diff, math.nan, math.nan
    if np.ptp(scores) == 0 and np.ptp(reference) == 0:
        return diff, diff, diff
    result = scipy.stats.bootstrap(
        (scores, reference),
        lambda x, y, axis: np.mean(x, axis=axis) - np.mean(y, axis=axis),
        n_resamples=REPS * 5,
        confidence_level=0.95,
        method="percentile",
        vectorized=True,
        random_state=SEED,
    )
    return diff, float(result.confidence_interval.low), float(result.confidence_interval.high)


def verdict(scores: np.ndarray, reference: np.ndarray, p: float, low: float, high: float) -> str:
    """``above``, ``below``, ``no difference``, or why the test is not meaningful."""
    reason = stats.untestable(scores, reference)
    if reason is not None:
        return f"not tested ({reason})"
    if p < 0.05 and low > 0:
        return "**above**"
    if p < 0.05 and high < 0:
        return "**below**"
    return "no difference"


def suite_rows(suite_dir: Path) -> list[list[str]]:
    """The table's rows for one suite folder."""
    results = load_results([suite_dir])
    rows = stats.final_table(results, "mean", REPS, SEED)
    ratios = stats.ratio_to_reference(rows, results.reference)
    cells = []
    for row in rows:
        ref = next((r for r in rows if r.env == row.env and r.teacher == results.reference), None)
        cell = [suite_dir.name, row.env, row.teacher, with_interval(row.mean)]
        if ref is None or row.teacher == results.reference or not row.scores.size:
            cell += ["(reference)" if row.teacher == results.reference else "n/a", "", "", ""]
        else:
            ratio = ratios.get(row.env, {}).get(row.teacher, math.nan)
            diff, low, high = difference_interval(row.scores, ref.scores)
            p = stats.welch(row.scores, ref.scores)
            p_text = "<0.001" if p < 0.001 else f"{p:.3f}"
            if math.isnan(p) or stats.untestable(row.scores, ref.scores) is not None:
                p_text = "-"  # no p-value where the test means nothing
            cell += [
                "n/a" if math.isnan(ratio) else f"{ratio:.2f}",
                f"{diff:+.1f} [{low:+.1f}, {high:+.1f}]" if not math.isnan(low) else f"{diff:+.1f}",
                f"{p_text} ({row.scores.size}, {ref.scores.size})",
                verdict(row.scores, ref.scores, p, low, high),
            ]
        cells.append(cell)
    return cells


def cost_row(suite_dir: Path) -> list[str]:
    """Runs done out of those found, their summed wall time (each run's last evaluation row,
    which counts the time before every resume; ``status.json`` counts the last process only),
    and the span from the first run's start to the last one's end (``status.json``), in
    minutes."""
    results = load_results([suite_dir])
    done = [r for r in results.runs if r.state == "done"]
    total = len(results.runs) + len(results.missing)
    wall = sum(_run_wall(r) for r in done) / 60
    starts = [datetime.fromisoformat(r.status["started"]) for r in done if "started" in r.status]
    ends = [datetime.fromisoformat(r.status["finished"]) for r in done if "finished" in r.status]
    span = (max(ends) - min(starts)).total_seconds() / 60 if starts and ends else math.nan
    return [suite_dir.name, f"{len(done)} / {total}", f"{wall:.0f}", f"{span:.0f}"]


def _run_wall(run: Run) -> float:
    if "wall_s" in run.evals and not run.evals.empty:
        return float(run.evals["wall_s"].iloc[-1])
    return float(run.status.get("wall_s", 0.0))


def table(root: Path) -> str:
    """The Markdown tables (headline numbers, then costs) of every suite folder below ``root``."""
    suites = sorted(p for p in Path(root).iterdir() if p.is_dir())
    if not suites:
        raise ConfigError(f"no suite folders below {root}")
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for suite_dir in suites:
        lines += ["| " + " | ".join(cell) + " |" for cell in suite_rows(suite_dir)]
    lines += [
        "",
        "Measured cost (loaded 2-core machine, one run at a time per suite, suites side by side;"
        " a suite rerun in part spans the sessions in between):",
        "",
        "| suite | runs done / found | run time, summed (min) | first start to last end (min) |",
        "|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(cost_row(suite_dir)) + " |" for suite_dir in suites]
    return "\n".join(lines) + "\n"


def replace_between_markers(text: str, block: str) -> str:
    """``text`` with what lies between :data:`START` and :data:`END` replaced by ``block``."""
    if START not in text or END not in text:
        raise ConfigError(f"the file lacks the markers {START!r} and {END!r}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default="results/baselines", type=Path)
    parser.add_argument("--write", type=Path, help="Markdown file whose marked block to replace")
    args = parser.parse_args(argv)
    try:
        block = table(args.root)
        if args.write is None:
            sys.stdout.write(block)
        else:
            args.write.write_text(replace_between_markers(args.write.read_text(), block))
    except (ConfigError, OSError) as err:
        print(f"baselines_table: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
