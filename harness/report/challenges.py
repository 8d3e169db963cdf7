"""TeachMyAgent's challenge profile: each teacher's final score over random's, per challenge.

TeachMyAgent (Romac et al., ICML 2021, section 4.1) compares teachers on five skill-specific
challenges (mostly unfeasible and mostly trivial task spaces, a forgetting student, a rugged
difficulty landscape, a variety of students) by the ratio of a teacher's mean final % mastered
to random's, marked where Welch's t-test gives p < 0.05, and draws the ratios on a radar.

A run belongs to challenge ``C`` when its suite is named ``challenge-C`` or ``challenge-C-...``
(the simulated profile's suites, :mod:`aclbench.harness.profile`, and the Stump Tracks ones in
``benchmarks/suites/challenges/``). An axis of the radar is one challenge on one env (and one
expert-knowledge level, where runs record ``expert_knowledge``); where a
challenge has several variants there (the students of "variety", one suite each), a seed's
score is its mean over the variants, each read at its own final step (as the report's final
table reads an env's). The ratio's 95% interval is a percentile bootstrap over the seeds of
each side, resampled independently (rliable). Where random's mean is 0 the ratio is infinite
if the teacher's is not (drawn at the radar's rim) and 1 if both are 0 (equal: nothing
mastered by either).
"""

from __future__ import annotations

import math
import re
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from aclbench.harness.report import stats
from aclbench.harness.report.runs import Results, Run
from aclbench.harness.report.tables import Table, p_value

CHALLENGES = ("unfeasible", "trivial", "forgetting", "rugged", "variety")
"""TeachMyAgent's five challenges, in its order."""
SUITE_NAME = re.compile(rf"challenge-({'|'.join(CHALLENGES)})(-.*)?")
RADAR_LIMIT = 3.0
"""The radar's radius spans ratios 2**-3 .. 2**3; ratios beyond are drawn at the edge."""


@dataclass(frozen=True)
class ChallengeRow:
    """One teacher on one axis (a challenge on an env): ``n`` seeds against ``n_reference``."""

    challenge: str
    env: str
    level: str | None  # the runs' expert knowledge, where they have that key
    teacher: str
    score: float  # mean final % mastered over seeds
    reference_score: float
    ratio: stats.Estimate
    p_value: float
    untestable: str | None
    n: int
    n_reference: int

    @property
    def axis(self) -> str:
        level = "" if self.level is None else f", {self.level} EK"
        return f"{self.challenge} ({self.env}{level})"

    @property
    def significant(self) -> bool:
        return self.untestable is None and self.p_value < 0.05


def challenge_of(run: Run) -> str | None:
    """The challenge of ``run``'s suite name, or ``None`` for a run of no challenge."""
    match = SUITE_NAME.fullmatch(run.suite)
    return match.group(1) if match else None


def ratio(teacher: float, reference: float) -> float:
    """``teacher / reference``, with the module docstring's conventions for a zero reference."""
    if reference > 0:
        return teacher / reference
    return math.inf if teacher > 0 else 1.0


def challenge_rows(results: Results, reps: int, seed: int) -> list[ChallengeRow]:
    """A row per axis and teacher but the reference, in :data:`CHALLENGES` order; empty where
    no run belongs to a challenge or there is no reference teacher."""
    reference = results.reference
    axes: dict[tuple[str, str, str | None], dict[str, list[Run]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for run in results.runs:
        challenge = challenge_of(run)
        if challenge is not None and run.usable:
            level = run.config.get("expert_knowledge")
            axes[(challenge, run.env, level)][f"{run.suite}/{run.env_label}"].append(run)
    rows = []
    for (challenge, env, level), variants in sorted(axes.items(), key=lambda a: _order(*a[0])):
        scores = _seed_scores(variants)
        if reference is None or reference not in scores:
            continue
        ref = scores[reference]
        for teacher, own in scores.items():
            if teacher == reference:
                continue
            rows.append(
                ChallengeRow(
                    challenge=challenge,
                    env=env,
                    level=level,
                    teacher=teacher,
                    score=float(np.mean(own)),
                    reference_score=float(np.mean(ref)),
                    ratio=_ratio_interval(own, ref, reps, seed),
                    p_value=stats.welch(own, ref),
                    untestable=stats.untestable(own, ref),
                    n=own.size,
                    n_reference=ref.size,
                )
            )
    return rows


def _order(challenge: str, env: str, level: str | None) -> tuple[int, str, str]:
    return CHALLENGES.index(challenge), env, level or ""


def _seed_scores(variants: Mapping[str, list[Run]]) -> dict[str, np.ndarray]:
    """teacher -> final % mastered by seed (``n_seeds``), averaged over the variants; only
    the seeds that every variant has for that teacher."""
    per_teacher: dict[str, list[dict[int, float]]] = defaultdict(list)
    for runs in variants.values():
        step = min(r.evals["env_steps"].iloc[-1] for r in runs)
        by_teacher: dict[str, dict[int, float]] = defaultdict(dict)
        for run in runs:
            by_teacher[run.teacher_label][run.seed] = float(stats.final_scores([run], step)[0])
        for teacher, seeds in by_teacher.items():
            per_teacher[teacher].append(seeds)
    scores = {}
    for teacher, seed_maps in per_teacher.items():
        if len(seed_maps) < len(variants):
            continue  # a variant without this teacher: no comparable mean
        common = sorted(set.intersection(*(set(m) for m in seed_maps)))
        if common:
            scores[teacher] = np.array([np.mean([m[s] for m in seed_maps]) for s in common])
    return scores


def _ratio_interval(own: np.ndarray, ref: np.ndarray, reps: int, seed: int) -> stats.Estimate:
    point = ratio(float(np.mean(own)), float(np.mean(ref)))
    if not math.isfinite(point):
        return stats.Estimate(point, point, point)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # resamples where random scored 0
        estimate = stats.intervals(
            [own[:, None], ref[:, None]],
            lambda x, y: ratio(float(np.mean(x)), float(np.mean(y))),
            reps,
            seed,
        )[0]
    # a percentile between two infinite resamples comes out NaN: it is infinite
    low, high = (math.inf if math.isnan(v) else v for v in (estimate.low, estimate.high))
    return stats.Estimate(point, low, high)


def challenge_table(rows: Sequence[ChallengeRow], reference: str) -> Table:
    """The profile as a table: scores, ratio with its interval, Welch's p (starred < 0.05)."""
    headers = [
        "challenge",
        "env",
        "expert knowledge",
        "teacher",
        "final % mastered",
        f"{reference}'s",
        f"ratio to {reference} [95% CI]",
        "Welch p (seeds)",
    ]
    body, bold = [], set()
    for i, row in enumerate(rows):
        welch = (
            f"not meaningful ({row.untestable}; n = {row.n}, {row.n_reference})"
            if row.untestable is not None
            else f"{p_value(row.p_value)} (n = {row.n}, {row.n_reference})"
        )
        body.append(
            [
                row.challenge,
                row.env,
                row.level or "-",
                row.teacher,
                f"{row.score:.1f}",
                f"{row.reference_score:.1f}",
                _ratio_text(row.ratio),
                welch,
            ]
        )
        if row.significant:
            bold.add((i, 6))
    return Table(headers, body, bold)


def _ratio_text(est: stats.Estimate) -> str:
    if math.isinf(est.value):
        return "inf (random: 0)"
    return f"{est.value:.2f} [{est.low:.2f}, {est.high:.2f}]"


def radar_figure(
    rows: Sequence[ChallengeRow], reference: str, colors: Mapping[str, tuple[float, ...]]
) -> Figure:
    """TeachMyAgent's radar: one axis per challenge and env, one polygon per teacher, the
    ratio to ``reference`` on a log2 radius (the dashed circle: as good as it); a filled
    marker is a significant difference (Welch p < 0.05), a hollow one is not."""
    axes = list(dict.fromkeys(row.axis for row in rows))
    teachers = list(dict.fromkeys(row.teacher for row in rows))
    angles = np.linspace(0.0, 2 * np.pi, len(axes), endpoint=False)
    fig = Figure(figsize=(6.5, 6.0), layout="constrained")
    ax = fig.add_subplot(projection="polar")
    circle = np.linspace(0.0, 2 * np.pi, 200)
    ax.plot(circle, np.zeros_like(circle), color="0.3", ls="--", lw=1, label=f"{reference} (1x)")
    for teacher in teachers:
        by_axis = {row.axis: row for row in rows if row.teacher == teacher}
        radius = np.array(
            [_radius(by_axis[a].ratio.value) if a in by_axis else np.nan for a in axes]
        )
        color = colors.get(teacher, (0.2, 0.4, 0.8, 1.0))
        closed = np.append(angles, angles[:1]), np.append(radius, radius[:1])
        ax.plot(*closed, color=color, lw=1.8, label=teacher)
        ax.fill(*closed, color=color, alpha=0.12)
        for angle, r, name in zip(angles, radius, axes):
            if name in by_axis and np.isfinite(r):
                filled = by_axis[name].significant
                ax.plot(
                    angle,
                    r,
                    "o",
                    ms=6,
                    color=color,
                    markerfacecolor=color if filled else "white",
                )
    ax.set_xticks(angles, [a.replace(" (", "\n(") for a in axes], fontsize=8)
    ticks = np.arange(-RADAR_LIMIT, RADAR_LIMIT + 1)
    ax.set_ylim(-RADAR_LIMIT, RADAR_LIMIT)
    ax.set_yticks(ticks, [f"{2.0**t:g}x" for t in ticks], fontsize=7)
    ax.legend(fontsize=8, frameon=False, loc="upper right", bbox_to_anchor=(1.25, 1.12))
    ax.set_title(f"final % mastered / {reference}'s (filled: Welch p < 0.05)", fontsize=10, pad=18)
    return fig


def _radius(value: float) -> float:
    if value <= 0:
        return -RADAR_LIMIT
    return float(np.clip(np.log2(value), -RADAR_LIMIT, RADAR_LIMIT))
