"""Curriculum views: which tasks a teacher sampled over training, and its inner state.

Users look at these to understand *why* a teacher won. A 2-D task space is drawn as four time
slices side by side (each quarter of training), points coloured by episode return; a space of
more dimensions is drawn on its two most varied dimensions (largest variance of the sampled tasks
in the unit cube), and a 1-D space as task against env steps. Discrete dimensions are jittered so
that repeated values stay visible.

On each slice the teacher's logged inner state at the end of the slice is drawn where its shape
is known (:data:`STATE_DRAWERS`): Gaussians (ALP-GMM, Covar-GMM) as 2-sigma ellipses of their
marginal on the two drawn dimensions, regions (RIAC) as rectangles. Coordinates are task units
unless the state says ``"units": "unit"``, or its means are longer than the task (the unit-cube
``task + ALP`` vectors of the GMM itself); other shapes are left out and the caption says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, Rectangle
from matplotlib.ticker import EngFormatter, MaxNLocator
from numpy.typing import NDArray

from aclbench.harness.report.runs import Run
from aclbench.task_space import TaskSpace

SLICES = 4
MAX_POINTS = 1500  # per slice, so that long runs stay light in the page
Array = NDArray[np.float64]
Drawer = Callable[[Axes, list[Any], TaskSpace, tuple[int, int], bool], str]


def curriculum_figure(run: Run) -> tuple[Figure, str] | None:
    """The run's curriculum view and its caption, or ``None`` without tasks or task space."""
    tasks, space = run.tasks(), run.task_space()
    if tasks is None or space is None or tasks.empty:
        return None
    if not {"env_steps", "return", *space.names} <= set(tasks.columns):
        return None
    points = tasks[list(space.names)].to_numpy(float)
    steps, returns = tasks["env_steps"].to_numpy(float), tasks["return"].to_numpy(float)
    norm = Normalize(float(returns.min()), float(returns.max()))
    who = f"{run.teacher_label} on {run.env_label}, seed {run.seed}"
    if len(space) == 1:
        fig = Figure(figsize=(8, 3.2), layout="constrained")
        ax = fig.subplots()
        keep = _thin(len(steps))
        dots = ax.scatter(steps[keep], points[keep, 0], c=returns[keep], norm=norm, s=6)
        ax.set_xlabel("env steps")
        ax.set_ylabel(space.names[0])
        ax.xaxis.set_major_formatter(EngFormatter(sep=""))
        fig.colorbar(dots, ax=ax, label="episode return")
        return fig, f"{who}: task of every training episode, coloured by episode return."
    dims = most_varied(space, points)
    shown = _jitter(space, points, dims)
    edges = np.linspace(0.0, steps.max(), SLICES + 1)
    log = run.teacher_log()
    fig = Figure(figsize=(11, 3.3))  # fixed layout: constrained layout doubles the drawing time
    axes = fig.subplots(1, SLICES, sharex=True, sharey=True)
    fig.subplots_adjust(left=0.06, right=0.9, bottom=0.15, top=0.9, wspace=0.08)
    notes = set()
    for k, ax in enumerate(axes):
        lower = -np.inf if k == 0 else edges[k]
        inside = np.flatnonzero((steps > lower) & (steps <= edges[k + 1]))
        keep = inside[_thin(len(inside))]
        dots = ax.scatter(shown[keep, 0], shown[keep, 1], c=returns[keep], norm=norm, s=5)
        state = _state_at(log, edges[k + 1])
        if state is not None:
            notes.add(draw_state(ax, state, space, dims))
        fmt = EngFormatter(sep="")
        ax.set_title(f"steps {fmt(edges[k])}-{fmt(edges[k + 1])}", fontsize=9)
        ax.set_xlim(*_limits(space, dims[0]))
        ax.set_ylim(*_limits(space, dims[1]))
        ax.set_xlabel(space.names[dims[0]], fontsize=8)
        ax.tick_params(labelsize=7)
        for axis, dim in ((ax.xaxis, dims[0]), (ax.yaxis, dims[1])):
            if space.discrete[dim]:
                axis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylabel(space.names[dims[1]], fontsize=8)
    fig.colorbar(dots, cax=fig.add_axes((0.915, 0.15, 0.012, 0.75)), label="episode return")
    projection = ""
    if len(space) > 2:
        projection = f" Shown: the two most varied of {len(space)} dimensions."
    state_note = " ".join(sorted(n for n in notes if n)) or "No teacher state was logged."
    caption = f"{who}: tasks sampled in each quarter of training.{projection} {state_note}"
    return fig, caption


def most_varied(space: TaskSpace, points: Array) -> tuple[int, int]:
    """Indices of the two dimensions whose sampled values vary most (unit-cube variance),
    in the space's order."""
    variance = np.var(space.to_unit(points), axis=0)
    first, second = np.argsort(-variance, kind="stable")[:2]
    return (int(min(first, second)), int(max(first, second)))


def draw_state(ax: Axes, state: Mapping[str, Any], space: TaskSpace, dims: tuple[int, int]) -> str:
    """Draw the parts of ``state`` whose shape is known; returns a caption sentence."""
    if not state:
        return "The teacher logs no inner state."
    known = [key for key in STATE_DRAWERS if isinstance(state.get(key), list)]
    if not known:
        return f"Inner state not drawn (unknown shape, keys: {', '.join(sorted(state))})."
    unit = "unit" in str(state.get("units", "")).lower()
    return " ".join(STATE_DRAWERS[key](ax, state[key], space, dims, unit) for key in known)


def _draw_gaussians(
    ax: Axes, gaussians: list[Any], space: TaskSpace, dims: tuple[int, int], unit: bool
) -> str:
    n = len(space)
    progress_key = next((k for k in ("alp", "lp", "probability") if _has(gaussians, k)), None)
    progress = (
        np.array([float(g.get(progress_key, 0.0)) for g in gaussians]) if progress_key else None
    )
    top = max(float(progress.max()), 1e-12) if progress is not None and len(progress) else 1.0
    for i, g in enumerate(gaussians):
        try:
            mean = np.asarray(g["mean"], dtype=float)
            cov = np.asarray(g["covariance"], dtype=float)
        except (KeyError, TypeError, ValueError):
            continue
        if mean.shape[0] < n or cov.shape[:2] != (mean.shape[0], mean.shape[0]):
            continue
        scale, shift = _unit_to_task(space) if unit or mean.shape[0] > n else (np.ones(n), 0.0)
        mean = mean[:n] * scale + shift
        cov = cov[:n, :n] * np.outer(scale, scale)
        pick = list(dims)
        values, vectors = np.linalg.eigh(cov[np.ix_(pick, pick)])
        values = np.clip(values, 0.0, None)
        angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
        shade = colormaps["Reds"](0.35 + 0.65 * (progress[i] / top if progress is not None else 1))
        ax.add_patch(
            Ellipse(
                (mean[dims[0]], mean[dims[1]]),
                4 * np.sqrt(values[-1]),
                4 * np.sqrt(values[0]),
                angle=angle,
                fill=False,
                edgecolor=shade,
                lw=0.8 + 2.5 * float(g.get("weight", 0.3)),
            )
        )
    shading = f"darker = higher {progress_key}" if progress_key else "no progress value logged"
    return f"Ellipses: the teacher's Gaussians (2 sigma; {shading}; thicker = heavier)."


def _draw_regions(
    ax: Axes, regions: list[Any], space: TaskSpace, dims: tuple[int, int], unit: bool
) -> str:
    scale, shift = _unit_to_task(space) if unit else (np.ones(len(space)), 0.0)
    regions = [r for r in regions if isinstance(r, Mapping)]
    if _has(regions, "leaf"):  # a whole tree (RIAC): its leaves tile the space
        regions = [r for r in regions if r.get("leaf")]
    alps = [float(r.get("alp", 0.0)) for r in regions]
    top = max(max(alps, default=0.0), 1e-12)
    for region in regions:
        try:
            low = np.asarray(region["low"], dtype=float) * scale + shift
            high = np.asarray(region["high"], dtype=float) * scale + shift
            alp = float(region.get("alp", 0.0))
        except (KeyError, TypeError, ValueError):
            continue
        if low.shape != (len(space),) or high.shape != low.shape:
            continue
        corner = (low[dims[0]], low[dims[1]])
        size = (high[dims[0]] - low[dims[0]], high[dims[1]] - low[dims[1]])
        color = colormaps["Reds"](0.15 + 0.7 * alp / top)
        face = (*color[:3], 0.25)
        ax.add_patch(Rectangle(corner, *size, facecolor=face, edgecolor="0.3", lw=0.7, zorder=0))
    return "Rectangles: the teacher's regions (redder = higher ALP)."


STATE_DRAWERS: dict[str, Drawer] = {"gaussians": _draw_gaussians, "regions": _draw_regions}
"""Known inner-state entries (key of ``inner_state()``) -> function that draws them."""


def _unit_to_task(space: TaskSpace) -> tuple[Array, Array]:
    """``(scale, shift)`` with task = unit * scale + shift, the inverse of ``to_unit``."""
    width = space.high - space.low
    scale = np.where(space.discrete, width + 1.0, width)
    return scale, space.low - np.where(space.discrete, 0.5, 0.0)


def _has(items: list[Any], key: str) -> bool:
    return any(isinstance(item, Mapping) and key in item for item in items)


def _state_at(log: list[dict[str, Any]], step: float) -> Mapping[str, Any] | None:
    """The last logged state at or before env step ``step``."""
    before = [entry for entry in log if float(entry["env_steps"]) <= step]
    state = before[-1].get("state") if before else None
    return state if isinstance(state, Mapping) else None


def _jitter(space: TaskSpace, points: Array, dims: tuple[int, int]) -> Array:
    shown = points[:, list(dims)].copy()
    rng = np.random.default_rng(0)  # fixed: the same run always gives the same picture
    for column, dim in enumerate(dims):
        if space.discrete[dim]:
            shown[:, column] += rng.uniform(-0.3, 0.3, len(shown))
    return shown


def _limits(space: TaskSpace, dim: int) -> tuple[float, float]:
    pad = 0.5 if space.discrete[dim] else 0.02 * (space.high[dim] - space.low[dim]) or 0.5
    return float(space.low[dim] - pad), float(space.high[dim] + pad)


def _thin(n: int) -> NDArray[np.int64]:
    """Evenly spread indices of at most MAX_POINTS of ``n`` points."""
    return (
        np.unique(np.linspace(0, n - 1, min(n, MAX_POINTS)).astype(np.int64))
        if n
        else np.zeros(0, np.int64)
    )
