"""``easy-to-hard``: a hand-designed curriculum that widens from an easy task at a fixed pace.

The expert baseline of the learning-progress papers (the "Oracle" of Portelas et al., CoRL
2019): it knows where the easy tasks are but not how fast the student learns. Tasks are uniform
in a box centred on ``easy_task`` (in the unit cube of the task space), cut to the space; the
box grows linearly with the number of episodes, from ``initial_width`` to the whole space after
``episodes_to_full`` episodes, and then stays the whole space. It ignores returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Teacher
from aclbench.teachers.lp_common import unit_to_task_affine
from aclbench.teachers.params import check_fraction, check_int, config_error
from aclbench.teachers.registry import register_teacher


@register_teacher("easy-to-hard")
class EasyToHardTeacher(Teacher):
    """Uniform tasks in a box that widens from ``easy_task`` to the whole space.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (``0`` is valid).
        easy_task: centre of the first box, a task of the space (array in the space's order,
            or ``{name: value}``). Default: the space's low corner (every dimension at its
            lower bound; its nearest task, ``clip``, where the corner is not one: an empty maze
            level with the agent on the goal), so set it whenever the easy tasks lie elsewhere.
        initial_width: width of the first box along each dimension, as a fraction of the
            dimension's range.
        episodes_to_full: episodes after which the box covers the whole space.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        easy_task: ArrayLike | Mapping[str, float] | None = None,
        initial_width: float = 0.1,
        episodes_to_full: int = 10_000,
    ) -> None:
        super().__init__(task_space, seed=seed)
        if easy_task is None:
            easy_task = task_space.clip(task_space.low)
        try:
            self.easy_task = task_space.validate(easy_task)
        except ValueError as err:
            raise config_error(self, f"easy_task is not a task of {task_space}: {err}") from None
        self.initial_width = check_fraction(self, "initial_width", initial_width)
        self.episodes_to_full = check_int(self, "episodes_to_full", episodes_to_full, 1)
        self.centre = task_space.to_unit(self.easy_task)
        # Half-width that reaches the farthest face of the cube from the centre.
        self.full_half_width = np.maximum(self.centre, 1.0 - self.centre)

    def box(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The current box ``(low, high)`` in the unit cube."""
        progress = min(self.episodes / self.episodes_to_full, 1.0)
        start = self.initial_width / 2
        half_width = start + progress * (self.full_half_width - start)
        low = np.clip(self.centre - half_width, 0.0, 1.0)
        high = np.clip(self.centre + half_width, 0.0, 1.0)
        return low, high

    def _sample_task(self) -> Task:
        low, high = self.box()
        unit = low + self.rng.random(len(low)) * (high - low)
        return self.task_space.clip(self.task_space.from_unit(unit))

    def inner_state(self) -> dict[str, Any]:
        """The current sampling box in task units: ``{"box": {"low": [n_dims], "high":
        [n_dims]}, "easy_task": [n_dims]}``."""
        offset, span = unit_to_task_affine(self.task_space)
        low, high = self.box()
        return {
            "box": {"low": (offset + span * low).tolist(), "high": (offset + span * high).tolist()},
            "easy_task": self.easy_task.tolist(),
        }
