"""``mastering-rate``: Mastering Rate based curriculum (Willems, Lahlou, Bengio 2020).

The user gives a task graph (``task -> predecessors``, see :mod:`aclbench.task_graph`). A task's
*mastering rate* is its mean return over its last K episodes, normalized between a min and a
max return: ``Mast(c) = (perf(c) - min(c)) / (max(c) - min(c))``. Following the authors' code,
``min`` and ``max`` start at the given values and widen to every K-episode mean seen once a task
has K episodes, and ``perf`` is clipped to them. Attention is then computed in two steps:

1. pre-attention ``Mast(Anc_c)^p * ((1 - gamma) * na_lp(c) + gamma * (1 - Mast(c))) *
   (1 - Mast(Succ_c))``, where ``Mast(Anc_c)`` is the smallest mastering rate of the task's
   ancestors (1 without any), ``Mast(Succ_c)`` the smallest of its direct successors (0 without
   any), and ``na_lp`` the absolute learning progress (slope of the regression of return against
   time over the last K episodes) divided by its largest value over tasks: a task is worth
   playing if it is learnable (ancestors mastered, itself not), or still progressing, and not
   already surpassed by its successors;
2. in reverse topological order, each task hands ``pred_attention`` of its attention to its
   predecessors (so it flows on to their own predecessors) and ``succ_attention`` to its direct
   successors, shared equally. Unlike the authors' code, a task without predecessors
   (successors) keeps that share instead of losing it, as the paper describes.

The task distribution is proportional to attention (the authors' default converter). Defaults
are the reference ones: K = 10, p = 6, gamma = 0.5, 0.2 to predecessors, 0.05 to successors.
Without a graph the tasks are independent (no task is locked behind another), which on any
space makes it a "learnable or progressing" teacher; pass the env's graph to get the paper's
behaviour. ``min_returns`` default to 0 and ``max_returns`` to 1: set ``max_returns`` to the
return at which a task counts as mastered (the paper uses 0.5 on MiniGrid).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.errors import ConfigError
from aclbench.task_graph import GraphSpec, TaskGraph
from aclbench.task_space import TaskSpace
from aclbench.teachers.arms import ArmTeacher, BinsSpec, draw
from aclbench.teachers.params import Owner, check_fraction, check_int, check_positive, config_error
from aclbench.teachers.registry import register_teacher
from aclbench.teachers.return_windows import ReturnWindows

_FLOOR = 1e-8
"""Added to every attention before normalizing (as the reference's proportional converter)."""


@register_teacher("mastering-rate")
class MasteringRateTeacher(ArmTeacher):
    """Attention from mastering rates and learning progress over a task graph.

    Args:
        graph: ``task -> predecessors`` by arm index or by name of ``task_names``, or a
            :class:`~aclbench.task_graph.TaskGraph`; ``None``: independent tasks.
        task_names: one name per arm, to name tasks in ``graph``.
        min_returns, max_returns: initial return bounds of the mastering rate, one value for
            all tasks or one per task.
        window: K, the episodes per task that the mean return and the slope are taken over.
        power: p, the power of the ancestors' mastering rate.
        potential_prop: gamma, the weight of ``1 - Mast`` against learning progress.
        pred_attention, succ_attention: shares of attention given to predecessors and
            successors.
        bins: how a space other than one discrete dimension is cut into arms.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        graph: GraphSpec | TaskGraph | None = None,
        task_names: Sequence[str] | None = None,
        min_returns: float | Sequence[float] = 0.0,
        max_returns: float | Sequence[float] = 1.0,
        window: int = 10,
        power: float = 6.0,
        potential_prop: float = 0.5,
        pred_attention: float = 0.2,
        succ_attention: float = 0.05,
        bins: BinsSpec = None,
    ) -> None:
        super().__init__(task_space, seed=seed, bins=bins)
        n = self.n_arms
        if task_names is not None and len(task_names) != n:
            raise config_error(self, f"task_names has {len(task_names)} names for {n} tasks (arms)")
        if isinstance(graph, TaskGraph):
            if graph.n != n:
                raise config_error(self, f"graph has {graph.n} tasks, the task space has {n} arms")
            self.graph = graph
        else:
            try:
                self.graph = TaskGraph.build(graph, n, task_names)
            except ConfigError as err:
                raise config_error(self, f"graph: {err}") from None
        self.min_returns = _per_task(self, "min_returns", min_returns, n)
        self.max_returns = _per_task(self, "max_returns", max_returns, n)
        if np.any(self.max_returns <= self.min_returns):
            raise config_error(
                self,
                f"max_returns must exceed min_returns for every task, got min "
                f"{self.min_returns.tolist()} and max {self.max_returns.tolist()}",
            )
        self.power = check_positive(self, "power", power)
        self.potential_prop = check_fraction(self, "potential_prop", potential_prop)
        self.pred_attention = check_fraction(self, "pred_attention", pred_attention)
        self.succ_attention = check_fraction(self, "succ_attention", succ_attention)
        self.windows = ReturnWindows(n, check_int(self, "window", window, 2))
        self._ancestors = _padded(self.graph.ancestors, n)
        self._successors = _padded(self.graph.successors, n)
        self._flows = [
            (task, list(self.graph.predecessors[task]), list(self.graph.successors[task]))
            for task in reversed(self.graph.order)
            if self.graph.predecessors[task] or self.graph.successors[task]
        ]

    # --- sampling ----------------------------------------------------------------------------
    def _choose_arm(self) -> int:
        return draw(self.attention() + _FLOOR, self.rng)

    def mastering_rates(self) -> NDArray[np.float64]:
        """``Mast(c)`` per task in [0, 1]; a task never played is at its ``min`` return."""
        means = self.windows.means()
        perf = np.where(np.isnan(means), self.min_returns, means)
        perf = np.clip(perf, self.min_returns, self.max_returns)
        return (perf - self.min_returns) / (self.max_returns - self.min_returns)

    def attention(self) -> NDArray[np.float64]:
        """The attention over tasks, ``n_arms``, before normalization."""
        mast = self.mastering_rates()
        abs_lp = np.abs(np.nan_to_num(self.windows.slopes(), nan=0.0))
        na_lp = abs_lp / abs_lp.max() if abs_lp.max() > 0 else abs_lp
        anc = np.append(mast, 1.0)[self._ancestors].min(axis=1)  # 1 without ancestors
        succ = np.append(mast, np.inf)[self._successors].min(axis=1)
        succ[np.isinf(succ)] = 0.0  # 0 without successors
        learning = (1 - self.potential_prop) * na_lp + self.potential_prop * (1 - mast)
        att = anc**self.power * learning * (1 - succ)
        for task, preds, succs in self._flows:
            if preds:
                given = att[task] * self.pred_attention
                att[task] -= given
                att[preds] += given / len(preds)
            if succs:
                given = att[task] * self.succ_attention
                att[task] -= given
                att[succs] += given / len(succs)
        return att

    # --- update ------------------------------------------------------------------------------
    def _update_arm(self, arm: int, episode_return: float) -> None:
        self.windows.push(arm, self.episodes, episode_return)
        if self.windows.counts[arm] >= self.windows.size:
            mean = self.windows.arm_mean(arm)
            self.min_returns[arm] = min(self.min_returns[arm], mean)
            self.max_returns[arm] = max(self.max_returns[arm], mean)

    def inner_state(self) -> dict[str, Any]:
        return {
            "mastering_rates": self.mastering_rates().tolist(),
            "attention": self.attention().tolist(),
            "max_returns": self.max_returns.tolist(),
        }


def _padded(groups: tuple[tuple[int, ...], ...], n: int) -> NDArray[np.int64]:
    """``n`` x ``max group size`` indices, padded with ``n`` (an extra slot the caller fills)."""
    width = max((len(g) for g in groups), default=0) or 1
    index = np.full((len(groups), width), n, dtype=np.int64)
    for row, group in enumerate(groups):
        index[row, : len(group)] = group
    return index


def _per_task(
    owner: Owner, name: str, value: float | Sequence[float], n: int
) -> NDArray[np.float64]:
    """One float per task from one number or a sequence of ``n``; ConfigError otherwise."""
    try:
        values = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        values = np.array([np.nan])
    if values.ndim == 0:
        values = np.full(n, float(values))
    has_bool = any(isinstance(v, bool) for v in (value if isinstance(value, Sequence) else [value]))
    if values.shape != (n,) or not np.all(np.isfinite(values)) or has_bool:
        raise config_error(owner, f"{name} must be one finite number or {n} of them, got {value!r}")
    return values
