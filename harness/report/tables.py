"""The report's tables as plain cells, shared by the HTML page and the Markdown file.

Scores are % of mastered test tasks; intervals are 95% stratified bootstrap intervals; the
p-value is Welch's t-test of final scores against the reference teacher, with the seeds on each
side, starred below 0.05 as TeachMyAgent does, but only where the test means something (at least
5 seeds a side, some variance): otherwise the cell says why and stars nothing. Every run
found appears in the provenance table, whatever its state.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aclbench.harness.report.runs import Results, Run
from aclbench.harness.report.stats import AGGREGATES, Aggregates, Estimate, FinalRow


@dataclass(frozen=True)
class Table:
    """``rows`` of cells under ``headers``; ``bold`` holds the (row, column) cells to stress."""

    headers: list[str]
    rows: list[list[str]]
    bold: set[tuple[int, int]] = field(default_factory=set)


def with_interval(est: Estimate, digits: int = 1) -> str:
    if math.isnan(est.value):
        return "n/a"
    return f"{est.value:.{digits}f} [{est.low:.{digits}f}, {est.high:.{digits}f}]"


def p_value(p: float | None) -> str:
    if p is None:
        return "(reference)"
    if math.isnan(p):
        return "n/a"
    text = "<0.001" if p < 0.001 else f"{p:.3f}"
    return f"{text} *" if p < 0.05 else text


def welch_cell(row: FinalRow) -> str:
    """The p-value with the seeds it compared, or why no test is meaningful (no star then)."""
    if row.p_value is None:
        return "(reference)"
    if not len(row.scores):
        return "n/a"
    n = f"n = {len(row.scores)}, {row.n_reference}"
    if row.untestable is not None:
        return f"not meaningful ({row.untestable}; {n})"
    return f"{p_value(row.p_value)} ({n})"


def steps(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}"


def final_table(rows: Sequence[FinalRow], reference: str | None) -> Table:
    """Per env and teacher: final scores, seeds done out of planned, Welch's p-value."""
    headers = [
        "env",
        "teacher",
        "final % mastered: mean [95% CI]",
        "IQM [95% CI]",
        "mean return",
        "seeds done / total",
        f"Welch t-test p vs {reference or 'reference'} (seeds)",
        "at env step",
    ]
    cells, bold = [], set()
    for i, row in enumerate(rows):
        mean_return = sum(row.returns) / len(row.returns) if len(row.returns) else math.nan
        cells.append(
            [
                row.env,
                row.teacher,
                with_interval(row.mean),
                with_interval(row.iqm),
                "n/a" if math.isnan(mean_return) else f"{mean_return:.3g}",
                f"{len(row.scores)} / {row.n_total}",
                welch_cell(row),
                steps(row.step),
            ]
        )
        if row.best:
            bold |= {(i, 1), (i, 2), (i, 3)}
    return Table(headers, cells, bold)


def aggregates_table(agg: Aggregates) -> Table:
    headers = ["teacher", *(f"{m} [95% CI]" for m in AGGREGATES), "seeds per env"]
    rows = [
        [teacher, *(with_interval(est[m]) for m in AGGREGATES), str(len(agg.scores[teacher]))]
        for teacher, est in agg.estimates.items()
    ]
    return Table(headers, rows)


def improvement_table(agg: Aggregates, reference: str) -> Table:
    rows = [
        [f"P({teacher} > {reference})", with_interval(est, digits=2)]
        for teacher, est in agg.improvement.items()
    ]
    return Table(["comparison", "probability of improvement [95% CI]"], rows)


def ratio_table(ratios: Mapping[str, Mapping[str, float]]) -> Table:
    teachers = list(dict.fromkeys(t for env in ratios.values() for t in env))
    rows = [
        [env, *("n/a" if math.isnan(r.get(t, math.nan)) else f"{r[t]:.2f}" for t in teachers)]
        for env, r in ratios.items()
    ]
    return Table(["env", *teachers], rows)


def problems_table(results: Results) -> Table:
    """Every run not counted in the statistics, and why."""
    rows = []
    for run in results.runs:
        if run.usable and not run.problems:
            continue
        why = "; ".join(run.problems) or {
            "failed": f"failed: {run.status.get('error', 'no error recorded')}",
            "running": "still running, or interrupted (status never set to done)",
            "pending": "never started (no status.json)",
        }.get(run.state, f"state {run.state!r}")
        rows.append(
            [run.env_label, run.teacher_label, str(run.seed), run.state, why, run.display_path]
        )
    for m in results.missing:
        rows.append(
            [m.env_label, m.teacher_label, str(m.seed), "missing", "no run folder", m.display_path]
        )
    for path, error in results.unreadable:
        rows.append(["?", "?", "?", "unreadable", error, str(path)])
    return Table(["env", "teacher", "seed", "state", "problem", "folder"], rows)


def provenance_table(results: Results) -> Table:
    """Per run: identity, state, budget, versions, device, commit and wall time."""
    headers = [
        "env",
        "teacher",
        "seed",
        "state",
        "budget",
        "evals",
        "wall time",
        "device",
        "aclbench",
        "SB3",
        "Gymnasium",
        "torch",
        "git commit",
        "host",
        "CPU",
    ]
    rows = []
    order = {teacher: i for i, teacher in enumerate(results.teachers)}
    for run in sorted(results.runs, key=lambda r: (r.env_label, order[r.teacher_label], r.seed)):
        versions = run.status.get("versions", {})
        wall = run.status.get("wall_s")
        rows.append(
            [
                run.env_label,
                run.teacher_label,
                str(run.seed),
                run.state,
                f"{run.steps:,}",
                str(len(run.evals)),
                "n/a" if wall is None else _duration(float(wall)),
                str(run.status.get("device", run.config.get("device", "n/a"))),
                *(
                    str(versions.get(key, "n/a"))
                    for key in ("aclbench", "stable_baselines3", "gymnasium", "torch")
                ),
                str(run.status.get("git_commit") or "n/a")[:10],
                str(run.status.get("host", "n/a")),
                str(run.status.get("cpu", "n/a")),
            ]
        )
    return Table(headers, rows)


def run_details(run: Run) -> tuple[str, str]:
    """(title, text) of a run's full config, and traceback if it failed, for a fold-out."""
    title = (
        f"{run.env_label} / {run.teacher_label} / seed {run.seed} ({run.state}): {run.display_path}"
    )
    text = (run.path / "config.toml").read_text()
    if run.status.get("traceback"):
        text += "\n# traceback\n" + str(run.status["traceback"])
    return title, text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"
