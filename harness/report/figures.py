"""The report's charts: learning curves, aggregate intervals, probability of improvement,
performance profiles and the ratio-to-random chart.

Charts are drawn on bare :class:`matplotlib.figure.Figure` objects (no pyplot, no global backend
state) and saved as PNG, for the HTML page, and PDF, for papers. The interval charts follow
rliable's figures (Agarwal et al. 2021); the ratio chart follows TeachMyAgent (Romac et al. 2021).
Each teacher keeps one colour in every chart.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import EngFormatter
from PIL import Image

from aclbench.harness.report.stats import AGGREGATES, Aggregates, Curve

PNG_DPI = 110
Color = tuple[float, float, float, float]


def teacher_colors(teachers: Sequence[str], reference: str | None) -> dict[str, Color]:
    """One colour per teacher: the reference in grey, others from a qualitative palette."""
    palette = colormaps["tab10"]
    others = [t for t in teachers if t != reference]
    colors = {t: palette(i % palette.N) for i, t in enumerate(others)}
    if reference is not None and reference in teachers:
        colors[reference] = (0.35, 0.35, 0.35, 1.0)
    return colors


def save(fig: Figure, folder: Path, name: str) -> Path:
    """Write ``name.png`` and ``name.pdf`` under ``folder``; returns the PNG's path.

    The layout computed for the PNG is kept for the PDF (constrained layout is the slow part
    of saving)."""
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI)
    # A 256-colour palette: charts have few colours, and the file is about 3 times smaller
    # (reports of many runs are stored in git, results/baselines).
    image = Image.open(buffer).convert("RGB")
    image.quantize(256, dither=Image.Dither.NONE).save(folder / f"{name}.png", optimize=True)
    fig.set_layout_engine("none")
    fig.savefig(folder / f"{name}.pdf")
    return folder / f"{name}.png"


def curves_figure(
    env: str,
    mastered: Mapping[str, Curve],
    returns: Mapping[str, Curve],
    colors: Mapping[str, Color],
    statistic: str,
) -> Figure:
    """% mastered and mean return against env steps, one line and 95% band per teacher."""
    fig = Figure(figsize=(10, 3.8), layout="constrained")
    axes = fig.subplots(1, 2)
    label = "IQM" if statistic == "iqm" else "mean"
    for ax, curves, ylabel in (
        (axes[0], mastered, f"% mastered test tasks ({label})"),
        (axes[1], returns, f"mean return ({label})"),
    ):
        for teacher, curve in curves.items():
            color = colors[teacher]
            ax.plot(
                curve.steps, curve.value, color=color, lw=1.8, label=f"{teacher} (n={curve.n_runs})"
            )
            ax.fill_between(curve.steps, curve.low, curve.high, color=color, alpha=0.18, lw=0)
        ax.set_xlabel("env steps")
        ax.set_ylabel(ylabel)
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))
        _tidy(ax)
    top = max((float(np.max(c.high)) for c in mastered.values()), default=100.0)
    axes[0].set_ylim(-0.02 * top, min(102.0, max(10.0, 1.1 * top)))  # small scores stay legible
    axes[0].legend(fontsize=8, frameon=False, loc="upper left")
    fig.suptitle(f"{env}: {label} over seeds with 95% stratified bootstrap band", fontsize=11)
    return fig


def aggregates_figure(agg: Aggregates, colors: Mapping[str, Color]) -> Figure:
    """IQM, mean and optimality gap of final % mastered across envs, with 95% intervals."""
    teachers = list(agg.estimates)
    fig = Figure(figsize=(10, 0.5 * len(teachers) + 1.4), layout="constrained")
    axes = fig.subplots(1, len(AGGREGATES), sharey=True)
    for ax, metric in zip(axes, AGGREGATES):
        for y, teacher in enumerate(teachers):
            est = agg.estimates[teacher][metric]
            _interval_bar(ax, y, est.value, est.low, est.high, colors[teacher])
        ax.set_title(metric, fontsize=10)
        ax.set_xlabel("% mastered" + (" (lower is better)" if metric == "Optimality gap" else ""))
        _tidy(ax)
    axes[0].set_yticks(range(len(teachers)), teachers)
    axes[0].invert_yaxis()
    fig.suptitle(f"Final % mastered across {', '.join(agg.envs)} (95% CIs)", fontsize=11)
    return fig


def improvement_figure(agg: Aggregates, reference: str, colors: Mapping[str, Color]) -> Figure:
    """P(teacher > reference) across envs with 95% intervals; 0.5 means no difference."""
    teachers = list(agg.improvement)
    fig = Figure(figsize=(7, 0.5 * len(teachers) + 1.3), layout="constrained")
    ax = fig.subplots()
    for y, teacher in enumerate(teachers):
        est = agg.improvement[teacher]
        _interval_bar(ax, y, est.value, est.low, est.high, colors[teacher])
    ax.axvline(0.5, color="0.5", ls="--", lw=1)
    ax.set_xlim(-0.02, 1.02)
    ax.set_yticks(range(len(teachers)), [f"P({t} > {reference})" for t in teachers])
    ax.invert_yaxis()
    ax.set_xlabel("probability of improvement")
    _tidy(ax)
    return fig


def profiles_figure(agg: Aggregates, colors: Mapping[str, Color]) -> Figure:
    """Fraction of runs whose final % mastered exceeds tau, with 95% bands."""
    fig = Figure(figsize=(6.5, 4), layout="constrained")
    ax = fig.subplots()
    for teacher, curve in agg.profiles.items():
        ax.plot(curve.steps, curve.value, color=colors[teacher], lw=1.8, label=teacher)
        ax.fill_between(curve.steps, curve.low, curve.high, color=colors[teacher], alpha=0.18, lw=0)
    ax.set_xlabel(r"% mastered test tasks ($\tau$)")
    ax.set_ylabel(r"fraction of runs with score > $\tau$")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=8, frameon=False)
    _tidy(ax)
    return fig


def ratio_figure(
    ratios: Mapping[str, Mapping[str, float]], reference: str, colors: Mapping[str, Color]
) -> Figure:
    """Mean final % mastered of each teacher over the reference's, per env (1 = as good)."""
    envs = list(ratios)
    teachers = list(dict.fromkeys(t for env in envs for t in ratios[env]))
    fig = Figure(figsize=(max(5.0, 1.2 * len(envs) * max(1, len(teachers)) ** 0.5 + 2), 3.8))
    fig.set_layout_engine("constrained")
    ax = fig.subplots()
    width = 0.8 / max(1, len(teachers))
    for i, teacher in enumerate(teachers):
        x = np.arange(len(envs)) + (i - (len(teachers) - 1) / 2) * width
        values = np.array([ratios[env].get(teacher, np.nan) for env in envs])
        ax.bar(x, np.nan_to_num(values), width, color=colors[teacher], label=teacher)
        for xi in x[np.isnan(values)]:
            ax.text(xi, 0.02, "n/a", ha="center", va="bottom", fontsize=7, rotation=90)
    ax.axhline(1.0, color="0.3", ls="--", lw=1)
    ax.set_xticks(range(len(envs)), envs)
    ax.set_ylabel(f"final % mastered / {reference}'s")
    ax.legend(fontsize=8, frameon=False)
    _tidy(ax)
    return fig


def _interval_bar(ax: Axes, y: float, value: float, low: float, high: float, color: Color) -> None:
    ax.barh(y, high - low, left=low, height=0.6, color=color, alpha=0.45)
    ax.vlines(value, y - 0.3, y + 0.3, color=color, lw=2.5)


def _tidy(ax: Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(alpha=0.25, lw=0.6)
    ax.tick_params(labelsize=8)
