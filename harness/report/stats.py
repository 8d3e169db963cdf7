"""The report's numbers: learning curves, final scores and aggregates, with rliable's intervals.

Estimates and 95% intervals come from rliable (Agarwal et al., "Deep Reinforcement Learning at
the Edge of the Statistical Precipice", NeurIPS 2021): percentile stratified bootstrap over
seeds. The score of a run is its % of mastered test tasks (0..100), already comparable across
envs, so aggregates use it as is (optimality gap with gamma = 100). Welch's t-test against the
reference teacher follows TeachMyAgent (Romac et al., ICML 2021).

Alignment. Seeds of one teacher may have evaluated at different env steps. Curves use the union
of their evaluation steps within the range every seed covers, each seed linearly interpolated
between its own evaluations, never extrapolated; seeds evaluated at the same steps are used as
they are. Final scores of an env are all read at one step, the smallest last evaluation among
its finished runs, so teachers with different budgets are compared at the same budget.

rliable draws its resamples from numpy's global generator; each estimate seeds it with
``seed`` and restores its state afterwards, so a report is reproducible and leaves no trace.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import scipy.stats
from numpy.typing import NDArray
from rliable import library as rly
from rliable import metrics

from aclbench.harness.report.runs import Results, Run

Array = NDArray[np.float64]


def iqm(scores: Array, axis: int | None = None) -> Array:
    """Interquartile mean: the mean of the middle half, ``int(n / 4)`` values cut at each end
    (over all values, or along ``axis``). Equal to rliable's ``aggregate_iqm`` (scipy's
    ``trim_mean``) but about 14 times faster, which matters inside a bootstrap."""
    values = np.sort(np.ravel(scores) if axis is None else scores, axis=0 if axis is None else axis)
    n = values.shape[0 if axis is None else axis]
    cut = int(0.25 * n)
    return np.take(values, np.arange(cut, n - cut), axis=0 if axis is None else axis).mean(
        axis=0 if axis is None else axis
    )


STATISTICS: dict[str, Callable[[Array], Array]] = {"iqm": iqm, "mean": metrics.aggregate_mean}
"""Point estimates a report can put on its curves: name -> aggregate of ``n_runs`` x ``n_tasks``."""

AGGREGATES = ("IQM", "Mean", "Optimality gap")
PROFILE_TAUS = np.linspace(0.0, 100.0, 51)


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its 95% interval ``[low, high]``."""

    value: float
    low: float
    high: float


@dataclass(frozen=True)
class Curve:
    """One teacher's curve on one env: estimates at ``steps`` (all arrays ``n_points``)."""

    steps: Array
    value: Array
    low: Array
    high: Array
    n_runs: int


@dataclass(frozen=True)
class FinalRow:
    """Final % mastered of one teacher on one env, read at env step ``step``."""

    env: str
    teacher: str
    step: float
    scores: Array  # ``n_done`` final % mastered, by seed
    returns: Array  # ``n_done`` final mean returns, by seed
    mean: Estimate
    iqm: Estimate
    n_total: int
    p_value: float | None  # Welch's t-test against the reference; None for the reference
    n_reference: int = 0  # seeds of the reference the test compared with
    untestable: str | None = None  # why the test is not meaningful (see :func:`untestable`)
    best: bool = False


@dataclass(frozen=True)
class Aggregates:
    """Scores across ``envs`` (columns), ``n_runs[t]`` seeds (rows) of each teacher."""

    envs: list[str]
    scores: dict[str, Array]  # teacher -> ``n_runs`` x ``n_envs`` final % mastered
    estimates: dict[str, dict[str, Estimate]]  # teacher -> AGGREGATES name -> estimate
    improvement: dict[str, Estimate]  # teacher -> P(teacher > reference)
    profiles: dict[str, Curve]  # teacher -> fraction of runs above tau (steps = taus)
    notes: list[str]


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Seed numpy's global generator, which rliable's bootstrap draws from, then restore it."""
    saved = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(saved)


def intervals(scores: Array | list[Array], func: Callable, reps: int, seed: int) -> list[Estimate]:
    """rliable's point estimates and 95% percentile stratified bootstrap intervals of ``func``
    (returning one value or a 1-D array) on ``scores`` (``n_runs`` x ``n_tasks``, or a list of
    such arrays, resampled independently)."""
    with seeded(seed):
        point, ci = rly.get_interval_estimates({"x": scores}, func, reps=reps)
    values, lows, highs = np.atleast_1d(point["x"]), *np.reshape(ci["x"], (2, -1))
    return [Estimate(float(v), float(lo), float(hi)) for v, lo, hi in zip(values, lows, highs)]


def align(runs: Sequence[Run], column: str) -> tuple[Array, Array]:
    """``(steps, values)``: seeds on a common grid, ``n_points`` and ``n_runs`` x ``n_points``."""
    curves = [(r.evals["env_steps"].to_numpy(float), r.evals[column].to_numpy(float)) for r in runs]
    low = max(steps[0] for steps, _ in curves)
    high = min(steps[-1] for steps, _ in curves)
    grid = np.unique(np.concatenate([s[(s >= low) & (s <= high)] for s, _ in curves]))
    return grid, np.stack([np.interp(grid, steps, values) for steps, values in curves])


def learning_curves(
    runs: Sequence[Run], columns: Sequence[str], statistic: str, reps: int, seed: int
) -> dict[str, Curve] | None:
    """``statistic`` over seeds of each of ``columns`` at every aligned step, with its 95%
    band; ``None`` where the seeds share no range of steps. One stratified bootstrap does all
    columns: they are its "tasks" (``n_runs`` x ``n_columns`` x ``n_points``)."""
    aligned = [align(runs, column) for column in columns]
    steps = aligned[0][0]
    if steps.size == 0:
        return None
    scores = np.stack([values for _, values in aligned], axis=1)
    with seeded(seed):
        point, ci = rly.get_interval_estimates({"x": scores}, _per_step(statistic), reps=reps)
    shape = (len(columns), len(steps))
    value, low, high = (np.reshape(a, shape) for a in (point["x"], ci["x"][0], ci["x"][1]))
    return {
        column: Curve(steps, value[i], low[i], high[i], len(runs))
        for i, column in enumerate(columns)
    }


def _per_step(statistic: str) -> Callable[[Array], Array]:
    """``statistic`` over runs of ``n_runs`` x ``n_tasks`` x ``n_points`` scores, for every
    task and point at once (flattened), each equal to the rliable aggregate of that point."""
    if statistic not in STATISTICS:
        raise ValueError(f"statistic {statistic!r} is unknown; allowed: {', '.join(STATISTICS)}")
    if statistic == "iqm":
        return lambda s: iqm(s, axis=0).ravel()
    return lambda s: s.mean(axis=0).ravel()


def final_step(results: Results, env: str) -> float | None:
    """The env step at which the env's final scores are read (see module docstring)."""
    lasts = [r.evals["env_steps"].iloc[-1] for r in results.runs if r.env_label == env and r.usable]
    return float(min(lasts)) if lasts else None


def final_scores(runs: Sequence[Run], step: float, column: str = "mastered_pct") -> Array:
    """``column`` of each run at env step ``step`` (``n_runs``), interpolated if needed."""
    return np.array(
        [np.interp(step, r.evals["env_steps"], r.evals[column]) for r in runs], dtype=float
    )


def final_table(results: Results, statistic: str, reps: int, seed: int) -> list[FinalRow]:
    """One row per env and teacher with runs; ``best`` marks the top ``statistic`` per env."""
    rows = []
    for env in results.envs:
        step = final_step(results, env)
        reference: Array | None = None
        if results.reference is not None and step is not None:
            ref_runs = [r for r in results.group(env, results.reference) if r.usable]
            reference = final_scores(ref_runs, step) if ref_runs else None
        env_rows = []
        for teacher in results.teachers:
            group = results.group(env, teacher)
            if not group:
                continue
            done = [r for r in group if r.usable]
            n_total = len(group) + len(results.missing_in(env, teacher))
            scores, returns = np.zeros(0), np.zeros(0)
            if done and step is not None:
                scores = final_scores(done, step)
                returns = final_scores(done, step, "mean_return")
            mean, iqm_estimate = _mean_and_iqm(scores, reps, seed)
            env_rows.append(
                FinalRow(
                    env=env,
                    teacher=teacher,
                    step=step if step is not None else float("nan"),
                    scores=scores,
                    returns=returns,
                    mean=mean,
                    iqm=iqm_estimate,
                    n_total=n_total,
                    p_value=None if teacher == results.reference else welch(scores, reference),
                    n_reference=0 if reference is None else reference.size,
                    untestable=None
                    if teacher == results.reference
                    else untestable(scores, reference),
                )
            )
        rows += _mark_best(env_rows, statistic)
    return rows


def _mean_and_iqm(scores: Array, reps: int, seed: int) -> tuple[Estimate, Estimate]:
    if scores.size == 0:
        nan = Estimate(float("nan"), float("nan"), float("nan"))
        return nan, nan
    mean, iqm_estimate = intervals(
        scores[:, None], lambda s: np.array([metrics.aggregate_mean(s), iqm(s)]), reps, seed
    )
    return mean, iqm_estimate


def _mark_best(rows: list[FinalRow], statistic: str) -> list[FinalRow]:
    values = [getattr(row, statistic).value for row in rows]
    top = np.nanmax(values) if not np.all(np.isnan(values)) else None
    return [replace(row, best=top is not None and value == top) for row, value in zip(rows, values)]


MIN_SEEDS_FOR_TEST = 5
"""Fewer seeds than this on either side and a test against the reference means nothing."""


def untestable(scores: Array, reference: Array | None) -> str | None:
    """Why a test of ``scores`` against ``reference`` is not meaningful, or ``None``: fewer than
    :data:`MIN_SEEDS_FOR_TEST` seeds on a side, or no variance on either side (a p-value from
    identical seeds is an artefact of the test, not evidence)."""
    if reference is None:
        return "no reference runs"
    if min(scores.size, reference.size) < MIN_SEEDS_FOR_TEST:
        return f"fewer than {MIN_SEEDS_FOR_TEST} seeds"
    if np.ptp(scores) == 0 and np.ptp(reference) == 0:
        return "no variance"
    return None


def welch(scores: Array, reference: Array | None) -> float:
    """Two-sided p-value of Welch's t-test (unequal variances); NaN when undefined (fewer
    than two seeds on a side, or no variance on either)."""
    if reference is None or scores.size < 2 or reference.size < 2:
        return float("nan")
    with warnings.catch_warnings():  # nearly identical seeds: scipy warns of precision loss
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(scipy.stats.ttest_ind(scores, reference, equal_var=False).pvalue)


def ratio_to_reference(
    rows: Sequence[FinalRow], reference: str | None
) -> dict[str, dict[str, float]]:
    """env -> teacher -> mean final % mastered over the reference's (TeachMyAgent's chart);
    NaN where the reference mastered nothing."""
    ratios: dict[str, dict[str, float]] = {}
    for row in rows:
        ref = next((r for r in rows if r.env == row.env and r.teacher == reference), None)
        if ref is None or row.teacher == reference:
            continue
        ratio = row.mean.value / ref.mean.value if ref.mean.value > 0 else float("nan")
        ratios.setdefault(row.env, {})[row.teacher] = ratio
    return ratios


def aggregates(results: Results, rows: Sequence[FinalRow], reps: int, seed: int) -> Aggregates:
    """IQM, mean and optimality gap across the envs every teacher ran, probability of
    improvement over the reference, and performance profiles."""
    done = {(r.env, r.teacher): r.scores for r in rows if r.scores.size}
    teachers = [t for t in results.teachers if any(k[1] == t for k in done)]
    envs = [e for e in results.envs if all((e, t) in done for t in teachers)]
    notes = [
        f"{t}: no finished run on any env, so it is left out of the aggregates."
        for t in results.teachers
        if t not in teachers
    ]
    left_out = [e for e in results.envs if e not in envs]
    if left_out:
        notes.append(
            "Aggregates cover the envs every teacher finished runs on "
            f"({', '.join(envs) or 'none'}); left out: {', '.join(left_out)}."
        )
    scores: dict[str, Array] = {}
    for teacher in teachers if envs else []:
        n = min(done[(e, teacher)].size for e in envs)
        if any(done[(e, teacher)].size > n for e in envs):
            notes.append(
                f"{teacher}: the first {n} seeds of each env are used (an equal number "
                "per env is needed)."
            )
        scores[teacher] = np.stack([done[(e, teacher)][:n] for e in envs], axis=1)
    estimates = {t: _aggregate_estimates(s, reps, seed) for t, s in scores.items()}
    improvement = {}
    ref = results.reference
    for teacher, s in scores.items():
        if ref in scores and teacher != ref:
            improvement[teacher] = intervals([s, scores[ref]], improvement_probability, reps, seed)[
                0
            ]
    profiles = {}
    for teacher, s in scores.items():
        with seeded(seed):
            point, ci = rly.create_performance_profile(
                {"x": s}, PROFILE_TAUS, custom_profile_func=score_distribution, reps=reps
            )
        profiles[teacher] = Curve(PROFILE_TAUS, point["x"], ci["x"][0], ci["x"][1], len(s))
    return Aggregates(envs, scores, estimates, improvement, profiles, notes)


def improvement_probability(x: Array, y: Array) -> float:
    """P(X > Y) + P(X = Y) / 2 for runs of X and Y on the same task, averaged over tasks
    (``n_runs_x`` x ``n_tasks`` and ``n_runs_y`` x ``n_tasks``): rliable's
    ``probability_of_improvement`` (its Mann-Whitney U / (n_x n_y)) without a scipy call per
    task, which made bootstraps 20 times slower."""
    greater = (x[:, None, :] > y[None, :, :]).mean(axis=(0, 1))
    equal = (x[:, None, :] == y[None, :, :]).mean(axis=(0, 1))
    return float(np.mean(greater + 0.5 * equal))


def score_distribution(scores: Array, taus: Array) -> Array:
    """Fraction of all runs' scores above each tau (``n_taus``): rliable's default run-score
    performance profile, vectorized over taus."""
    return (scores[..., None] > np.asarray(taus)).reshape(-1, len(taus)).mean(axis=0)


def _aggregate_estimates(scores: Array, reps: int, seed: int) -> dict[str, Estimate]:
    def func(s: Array) -> Array:
        return np.array(
            [
                iqm(s),
                metrics.aggregate_mean(s),
                metrics.aggregate_optimality_gap(s, gamma=100.0),
            ]
        )

    return dict(zip(AGGREGATES, intervals(scores, func, reps, seed)))
