"""``adr``: Automatic Domain Randomization, a box of tasks that grows where the student succeeds.

OpenAI, Akkaya et al. (2019), "Solving Rubik's Cube with a Robot Hand", arXiv:1910.07113,
section 5 and Algorithm 1; in TeachMyAgent's version (Romac, Portelas, Hofmann and Oudeyer,
ICML 2021), whose settings are the ``"teachmyagent"`` preset.

Tasks are drawn uniformly from a box, which starts as the single point ``start``. With
probability ``boundary_prob`` one dimension, picked uniformly, is pinned to the box's low or
high side (one of the two at random; a side already at the edge of the task space is skipped,
as it cannot widen). The return of a pinned episode goes to that side's queue; when the queue
holds ``queue_length`` returns, their mean decides: ``>= high_threshold`` widens the side by
``step_size`` (up to the space's edge), ``<= low_threshold`` narrows it (never past the other
side), and the queue is emptied. So the box grows along every dimension as long as the student
masters its edges, and shrinks back from edges it fails on.

Parameters and their sources:

==================  =======================  ======================================
parameter           ``"teachmyagent"``       TeachMyAgent / the paper
==================  =======================  ======================================
``boundary_prob``   0.7                      0.7 (benchmark); 0.5 in the paper
``step_size``       0.1 (task units)         0.1; per parameter in the paper
``queue_length``    10                       10; 240 in the paper (its buffer ``m``)
==================  =======================  ======================================

``low_threshold`` and ``high_threshold`` have no default: they are returns of the env (what
failure and mastery look like), which TeachMyAgent calls low expert knowledge and gives as 0
and 180 on Stump Tracks; ADR refuses to run without them, as TeachMyAgent does. ``start`` is
its high expert knowledge (the mean of an initial distribution of easy tasks); without it the
box starts at a uniform random task, as in TeachMyAgent.

Deviations: only the pinned dimension's side gets the return, as in the paper. TeachMyAgent
appends the return to every side the task touches, so while the box is a point every episode
fills every queue; here, as in the paper, uniform episodes never do. Pins are remembered per
proposed task, and a return counts only if that side has not moved since the proposal (an
episode played while the box changed says nothing of the new edge); TeachMyAgent compares the
returned task with the current edges instead, which works for continuous tasks only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike

from aclbench.errors import InvalidTaskError
from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.task_space import Task, TaskSpace, task_key
from aclbench.teachers.base import Teacher
from aclbench.teachers.lp_common import resolve_preset
from aclbench.teachers.params import (
    check_fraction,
    check_int,
    check_number,
    check_positive,
    config_error,
    record,
)
from aclbench.teachers.registry import register_teacher

PRESETS: dict[str, dict[str, Any]] = {
    "teachmyagent": {"boundary_prob": 0.7, "step_size": 0.1, "queue_length": 10},
}

LOW, HIGH = 0, 1
"""The two sides of the box along a dimension."""
MAX_PENDING = 4096
"""Most pinned proposals awaiting their return; older ones are forgotten (feedback that never
comes must not grow the teacher without bound)."""


@register_teacher("adr")
class AdrTeacher(Teacher):
    """ADR (OpenAI et al. 2019); see the module docstring for the algorithm.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (``0`` is valid).
        low_threshold: mean return of a side's queue at or below which the side narrows.
        high_threshold: mean return at or above which it widens (> ``low_threshold``).
        start: the task the box starts from; ``None`` draws one uniformly.
        preset: ``"teachmyagent"`` (see the module docstring).
        boundary_prob: probability of pinning one dimension to a side of the box.
        step_size: how far a side moves, in task units, on every dimension.
        queue_length: returns of a side averaged before it moves.
    """

    expert_knowledge_needed: ClassVar[str] = "low"  # its thresholds: TeachMyAgent's "low"
    expert_knowledge_used: ClassVar[str] = "high"  # and its start: the easy tasks' mean

    presets: ClassVar[dict[str, dict[str, Any]]] = PRESETS
    """Named values of ``boundary_prob``, ``step_size`` and ``queue_length``."""
    example_params: ClassVar[dict[str, Any]] = {"low_threshold": 0.2, "high_threshold": 0.6}
    """Thresholds for returns in about [0, 1] (``check_teacher``'s), for tests and tools that
    build every registered teacher."""

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        low_threshold: float | None = None,
        high_threshold: float | None = None,
        start: Sequence[float] | None = None,
        preset: str = "teachmyagent",
        boundary_prob: float | None = None,
        step_size: float | None = None,
        queue_length: int | None = None,
        expert_knowledge: ExpertKnowledge | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        if expert_knowledge is not None:  # a run's knowledge fills what the parameters leave out
            if expert_knowledge.return_thresholds is not None:
                low_threshold = (
                    expert_knowledge.return_thresholds[0]
                    if low_threshold is None
                    else low_threshold
                )
                high_threshold = (
                    expert_knowledge.return_thresholds[1]
                    if high_threshold is None
                    else high_threshold
                )
            if start is None and expert_knowledge.initial is not None:
                start = list(expert_knowledge.initial.mean)
        params = resolve_preset(
            self,
            self.presets,
            preset,
            {"boundary_prob": boundary_prob, "step_size": step_size, "queue_length": queue_length},
        )
        self.preset = preset
        self.boundary_prob = check_fraction(self, "boundary_prob", params["boundary_prob"])
        self.step_size = check_positive(self, "step_size", params["step_size"])
        self.queue_length = check_int(self, "queue_length", params["queue_length"], 1)
        first = self._start(start)
        low, high = (
            None if value is None else check_number(self, name, value)
            for name, value in (
                ("low_threshold", low_threshold),
                ("high_threshold", high_threshold),
            )
        )
        if low is None or high is None:
            raise config_error(
                self,
                "low_threshold and high_threshold are required: the mean returns at which a "
                "side of the box narrows and widens (expert knowledge of the env; TeachMyAgent "
                f"uses 0 and 180 on Stump Tracks), got {low_threshold!r} and {high_threshold!r}",
            )
        self.low_threshold, self.high_threshold = low, high
        if not low < high:
            raise config_error(
                self,
                f"low_threshold must be < high_threshold, got {low_threshold!r} and "
                f"{high_threshold!r}",
            )
        self.bounds = np.array([first, first])  # 2 x n_dims: the box's low and high sides
        n_dims = len(task_space)
        self.queues: list[list[list[float]]] = [[[] for _ in range(n_dims)] for _ in (LOW, HIGH)]
        self.pending: dict[bytes, list[tuple[int, int, float]]] = {}  # task -> (side, dim, edge)
        self.moves = 0

    def _start(self, start: Sequence[float] | None) -> Task:
        if start is None:
            task = self.task_space.sample(self.rng)
        else:
            try:
                task = self.task_space.validate(np.array(start, dtype=np.float64))
            except (InvalidTaskError, TypeError, ValueError) as err:
                raise config_error(
                    self, f"start must be a task of {self.task_space!r}, got {start!r}: {err}"
                ) from err
        record(self, "start", task.tolist())
        return task.copy()

    # --- sampling ----------------------------------------------------------------------------
    def _sample_task(self) -> ArrayLike:
        space, rng = self.task_space, self.rng
        low, high = self.bounds
        task = low + rng.random(len(low)) * (high - low)
        if rng.random() < self.boundary_prob:
            dim = int(rng.integers(len(low)))
            sides = [
                side
                for side, edge in ((LOW, space.low[dim]), (HIGH, space.high[dim]))
                if self.bounds[side, dim] != edge
            ]
            if sides:
                side = sides[0] if len(sides) == 1 else int(rng.integers(2))
                task[dim] = self.bounds[side, dim]
                task = space.clip(task)
                self._pin(task, side, dim)
                return task
        return space.clip(task)

    def _pin(self, task: Task, side: int, dim: int) -> None:
        key = task_key(task)
        if key not in self.pending and len(self.pending) >= MAX_PENDING:
            del self.pending[next(iter(self.pending))]
        self.pending.setdefault(key, []).append((side, dim, float(self.bounds[side, dim])))

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        key = task_key(task)
        pins = self.pending.get(key)
        if not pins:  # a uniform episode, or a task this teacher did not pin
            return
        side, dim, edge = pins.pop(0)
        if not pins:
            del self.pending[key]
        if self.bounds[side, dim] != edge:  # the side moved since: the return is of an old edge
            return
        queue = self.queues[side][dim]
        queue.append(episode_return)
        if len(queue) >= self.queue_length:
            self._move(side, dim, sum(queue) / len(queue))
            queue.clear()

    def _move(self, side: int, dim: int, mean: float) -> None:
        """Widen (``mean >= high_threshold``) or narrow (``<= low_threshold``) one side."""
        low, high = self.bounds[:, dim]
        outward = -self.step_size if side == LOW else self.step_size
        if mean >= self.high_threshold:
            edge = self.task_space.low[dim] if side == LOW else self.task_space.high[dim]
            new = max(low + outward, edge) if side == LOW else min(high + outward, edge)
        elif mean <= self.low_threshold:
            new = min(low - outward, high) if side == LOW else max(high - outward, low)
        else:
            return
        self.moves += new != self.bounds[side, dim]
        self.bounds[side, dim] = new

    # --- report ------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """The box in task units and how often a side moved:
        ``{"low": [n_dims], "high": [n_dims], "moves": m}``."""
        return {
            "low": self.bounds[LOW].tolist(),
            "high": self.bounds[HIGH].tolist(),
            "moves": int(self.moves),
        }
