"""``aclbench report``: from results folders to ``report.html``, ``report.md`` and ``figures/``.

Sections, in the order a reader needs them: what was found (and what is wrong with it), the
final table, learning curves per env, aggregates across envs, curriculum views, provenance.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

import numpy as np
from matplotlib.figure import Figure

from aclbench.errors import ConfigError
from aclbench.harness.report import challenges, figures, stats, tables
from aclbench.harness.report.curriculum import curriculum_figure
from aclbench.harness.report.render import FigureRef, Section, render_html, render_markdown
from aclbench.harness.report.runs import Results, load_results
from aclbench.harness.report.videos import remove_clips, video_section
from aclbench.harness.results import write_atomic

Saver = Callable[[Figure, str, str], FigureRef]
"""Saves a figure under a file name with a caption, for a section to show."""

DEFAULT_REPS = 2000
"""Bootstrap resamples per interval. rliable's examples use 50,000 for papers; 2,000 keeps a
suite's report to seconds with intervals stable to about a percentage point."""


def build_report(
    run_dirs: Sequence[Path],
    out: Path | None = None,
    *,
    reps: int = DEFAULT_REPS,
    statistic: str = "iqm",
    seed: int = 0,
    videos: bool = False,
) -> Path:
    """Write the report of every run below ``run_dirs``; returns the path of ``report.html``.

    Args:
        run_dirs: results folders; runs of later folders are put beside those of the first
            (a new teacher beside stored baselines), matched by env.
        out: report folder, ``<first dir>/report`` by default.
        reps: bootstrap resamples per interval.
        statistic: ``"iqm"`` or ``"mean"`` over seeds, for the curves and the best teacher.
        seed: seed of the bootstrap, so that the same runs give the same report.
        videos: add clips of each teacher's final student (:mod:`~harness.report.videos`).
    """
    if statistic not in stats.STATISTICS:
        raise ConfigError(
            f"statistic {statistic!r} is unknown; allowed: {', '.join(stats.STATISTICS)}"
        )
    if not isinstance(reps, int) or reps < 1:
        raise ConfigError(f"reps must be a positive number of bootstrap resamples, got {reps!r}")
    results = load_results([Path(d) for d in run_dirs])
    out = Path(out) if out is not None else Path(run_dirs[0]) / "report"
    if out.exists() and not out.is_dir():
        raise ConfigError(f"report folder {str(out)!r} exists and is not a folder; give --out DIR")
    created = not out.exists()
    try:
        _write(results, out, run_dirs, reps=reps, statistic=statistic, seed=seed, videos=videos)
    except BaseException:
        if created:  # never an empty or half-written report folder left behind
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out / "report.html"


def _write(
    results: Results,
    out: Path,
    run_dirs: Sequence[Path],
    *,
    reps: int,
    statistic: str,
    seed: int,
    videos: bool,
) -> None:
    fig_dir = out / "figures"
    out.mkdir(parents=True, exist_ok=True)  # a report without figures (all runs failed) too
    for old in [*fig_dir.glob("*.png"), *fig_dir.glob("*.pdf")]:
        old.unlink()
    remove_clips(out)
    colors = figures.teacher_colors(results.teachers, results.reference)
    rows = stats.final_table(results, statistic, reps, seed)
    agg = stats.aggregates(results, rows, reps, seed)

    def save(fig: Figure, name: str, caption: str) -> FigureRef:
        png = figures.save(fig, fig_dir, re.sub(r"[^A-Za-z0-9._-]+", "_", name))
        return FigureRef(png.relative_to(out), caption)

    sections = [
        _overview(results, statistic),
        _final(results, rows, colors, save),
        *_challenges(results, colors, reps, seed, save),
        _curves(results, colors, statistic, reps, seed, save),
        _aggregates(results, agg, colors, save),
        _curricula(results, save),
        *([video_section(results, out)] if videos else []),
        _provenance(results),
    ]
    title = "aclbench report"
    meta = f"{', '.join(map(str, run_dirs))}; generated {datetime.now():%Y-%m-%d %H:%M}"
    # whole or not at all: a report killed while writing is never taken for a finished one
    write_atomic(out / "report.md", render_markdown(title, meta, sections))
    write_atomic(out / "report.html", render_html(title, meta, sections, out))


def _overview(results: Results, statistic: str) -> Section:
    states = Counter(run.state for run in results.runs)
    counted = sum(run.usable for run in results.runs)
    section = Section("Overview", warnings=list(results.warnings))
    section.blocks += [
        f"{len(results.runs)} runs; envs: {', '.join(results.envs)}; "
        f"teachers: {', '.join(results.teachers)}; states: "
        + ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        + f"; {counted} counted in the statistics; missing seeds: {len(results.missing)}; "
        f"unreadable folders: {len(results.unreadable)}.",
        f"Scores are % of mastered test tasks. Curves show the {statistic.upper()} over seeds "
        "with a 95% stratified bootstrap band (rliable); seeds evaluated at different steps are "
        "interpolated between their own evaluations onto the steps they all cover. Final scores "
        "of an env are read at one env step, the smallest last evaluation of its finished runs.",
    ]
    for env in results.envs:
        budgets = {run.steps for run in results.runs if run.env_label == env}
        step = stats.final_step(results, env)
        if len(budgets) > 1 and step is not None:
            section.warnings.append(
                f"{env}: final scores of every teacher are compared at {step:,.0f} env steps, "
                "the last evaluation that all its finished runs reached."
            )
    if results.reference is None:
        section.warnings.append("No `random` teacher: no p-values, improvement or ratios.")
    problems = tables.problems_table(results)
    if problems.rows:
        section.blocks.append("Runs not counted in the statistics, and why:")
        section.blocks.append(problems)
    return section


def _final(results: Results, rows: list[stats.FinalRow], colors: dict, save: Saver) -> Section:
    section = Section("Final results")
    section.blocks.append(
        "Final % mastered per env and teacher; best per env in bold. Seeds: finished runs "
        "out of all planned (failed, running and missing ones included). p: Welch's two-sided "
        "t-test of final % mastered against the reference, with the seeds on each side; "
        "* p < 0.05, given only with at least 5 seeds a side and some variance."
    )
    section.blocks.append(tables.final_table(rows, results.reference))
    ratios = stats.ratio_to_reference(rows, results.reference)
    if ratios and results.reference is not None:
        section.blocks.append(f"Mean final % mastered as a ratio to {results.reference}'s:")
        section.blocks.append(tables.ratio_table(ratios))
    if any(np.isfinite(r) for env in ratios.values() for r in env.values()):
        fig = figures.ratio_figure(ratios, results.reference or "", colors)
        section.blocks.append(
            save(
                fig,
                "ratio_to_random",
                f"Ratio of mean final % mastered to {results.reference}'s "
                "(1 = as good); n/a where it mastered nothing.",
            )
        )
    return section


def _challenges(results: Results, colors: dict, reps: int, seed: int, save: Saver) -> list[Section]:
    """TeachMyAgent's challenge profile, where the results hold runs of challenge suites."""
    rows = challenges.challenge_rows(results, reps, seed)
    if not rows or results.reference is None:
        return []
    section = Section("Challenge profile")
    section.blocks.append(
        "TeachMyAgent's challenges (suites named challenge-NAME): mean final % mastered over "
        f"{results.reference}'s per challenge and env, with a 95% bootstrap interval over "
        "seeds; p: Welch's t-test, * p < 0.05 (bold ratio). A challenge run in several "
        "variants (students) scores each seed by its mean over them."
    )
    section.blocks.append(challenges.challenge_table(rows, results.reference))
    fig = challenges.radar_figure(rows, results.reference, colors)
    section.blocks.append(save(fig, "challenge_radar", "Challenge radar (TeachMyAgent's)."))
    return [section]


def _curves(
    results: Results, colors: dict, statistic: str, reps: int, seed: int, save: Saver
) -> Section:
    section = Section("Learning curves")
    for env in results.envs:
        mastered, returns = {}, {}
        for teacher in results.teachers:
            done = [r for r in results.group(env, teacher) if r.usable]
            columns = ("mastered_pct", "mean_return")
            curves = stats.learning_curves(done, columns, statistic, reps, seed) if done else None
            if curves is not None:
                mastered[teacher], returns[teacher] = curves["mastered_pct"], curves["mean_return"]
        if mastered:
            fig = figures.curves_figure(env, mastered, returns, colors, statistic)
            caption = f"{env}: % mastered test tasks and mean test return against env steps."
            section.blocks.append(save(fig, f"curves_{env}", caption))
    return section


def _aggregates(results: Results, agg: stats.Aggregates, colors: dict, save: Saver) -> Section:
    section = Section("Aggregates across envs", warnings=list(agg.notes))
    if not agg.estimates:
        section.blocks.append("No env has finished runs of every teacher: no aggregates.")
        return section
    section.blocks.append(
        f"Final % mastered over the envs {', '.join(agg.envs)}: interquartile "
        "mean, mean and optimality gap (100 minus the mean of scores clipped at 100; lower is "
        "better) with 95% stratified bootstrap intervals (rliable)."
    )
    section.blocks.append(tables.aggregates_table(agg))
    section.blocks.append(
        save(figures.aggregates_figure(agg, colors), "aggregates", "Aggregate estimates, 95% CIs.")
    )
    if agg.improvement and results.reference is not None:
        section.blocks.append(
            f"Probability that a run of a teacher beats a run of {results.reference} on a "
            "randomly chosen env (0.5: no difference)."
        )
        section.blocks.append(tables.improvement_table(agg, results.reference))
        fig = figures.improvement_figure(agg, results.reference, colors)
        section.blocks.append(save(fig, "improvement", "Probability of improvement, 95% CIs."))
    fig = figures.profiles_figure(agg, colors)
    caption = "Performance profiles: fraction of runs (all envs) scoring above each threshold."
    section.blocks.append(save(fig, "performance_profiles", caption))
    return section


def _curricula(results: Results, save: Saver) -> Section:
    section = Section("Curriculum views")
    section.blocks.append(
        "Tasks each teacher sampled over training (first finished seed), coloured by return, "
        "with the teacher's inner state at the end of each slice where it logs one."
    )
    for env in results.envs:
        for teacher in results.teachers:
            run = next((r for r in results.group(env, teacher) if r.usable), None)
            view = curriculum_figure(run) if run is not None else None
            if view is not None:
                section.blocks.append(save(view[0], f"curriculum_{env}_{teacher}", view[1]))
    return section


def _provenance(results: Results) -> Section:
    section = Section("Provenance")
    version_sets = Counter(
        tuple(sorted(r.status.get("versions", {}).items())) for r in results.runs if r.status
    )
    if len(version_sets) > 1:
        section.warnings.append(f"Runs used {len(version_sets)} different sets of versions.")
    section.blocks.append("Every run found, whatever its state; full configs below.")
    section.blocks.append(tables.provenance_table(results))
    section.details += [tables.run_details(run) for run in results.runs]
    return section


def summary(results: Results) -> str:
    """A few lines for the terminal: counts, then mean final % mastered per env and teacher."""
    states = Counter(run.state for run in results.runs)
    lines = [
        f"{len(results.runs) + len(results.unreadable)} runs: "
        + ", ".join(
            f"{n} {state}"
            for state, n in [
                *sorted(states.items()),
                ("unreadable", len(results.unreadable)),
                ("missing", len(results.missing)),
            ]
            if n
        )
    ]
    for env in results.envs:
        step = stats.final_step(results, env)
        parts = []
        for teacher in results.teachers:
            group = results.group(env, teacher)
            done = [r for r in group if r.usable]
            if not group:
                continue
            total = len(group) + len(results.missing_in(env, teacher))
            score = np.mean(stats.final_scores(done, step)) if done and step is not None else None
            parts.append(
                f"{teacher} {'n/a' if score is None else f'{score:.1f}'} ({len(done)}/{total})"
            )
        lines.append(f"  {env}: " + ", ".join(parts))
    lines += [f"  warning: {w}" for w in results.warnings]
    lines += [f"  unreadable: {path}: {why}" for path, why in results.unreadable]
    return "\n".join(lines)


def print_summary(run_dirs: Sequence[Path], file: TextIO | None = None) -> None:
    """Print :func:`summary` of the runs below ``run_dirs`` (mean final % mastered, seeds)."""
    print("final % mastered, mean over finished seeds (done/total):", file=file or sys.stdout)
    print(summary(load_results([Path(d) for d in run_dirs])), file=file or sys.stdout)
