"""The ``toy`` bench: a simulated student for testing teachers in seconds.

From Portelas, Colas, Hofmann and Oudeyer (CoRL 2019), "Teacher algorithms for curriculum
learning of Deep RL in continuously parameterized environments", section 5.1. The unit
hypercube of tasks is cut into ``cells_per_dim ** n_dims`` cells. Each cell holds a competence
in [0, 100], starting at 0. Playing a task raises its cell's competence by 1 (up to 100), but
only if the cell is the origin cell or one of its previous neighbours (one step back along one
or more axes, diagonals included, as in the paper's code) already has competence >= 75. So
progress must spread out from the origin, and a teacher that finds where competence is growing
beats uniform sampling.

``origin`` picks the corner competence spreads from (the origin cell by default): a family of
students that need different curricula on the same task space, as the rotated toy envs of
Portelas, Romac, Hofmann and Oudeyer (2020), "Meta Automatic Curriculum Learning", whose
classroom of students differ by the corner they start from.

An episode is one step; its reward is competence / 100 (plus optional Gaussian noise). The
competences persist across resets: this env *is* the learner, used by the ``simulated``
student. A cell is mastered above 75, so the test set is every cell's centre and the % of
mastered test tasks is the % of mastered cells.

TeachMyAgent's first two challenges (Romac et al., ICML 2021) widen Stump Tracks' task space
beyond the tested one: heights up to 9 (mostly unfeasible), heights down to -3, flat ground
(mostly trivial). ``low`` and ``high`` do the same here, for every dimension: the cells stay
those of the unit cube, which is still the test set; a task with a coordinate above 1 can never
be learned (reward 0), and a task with a coordinate below 0 plays the origin cell, the easiest
(as a negative stump height is flat ground). ``gain``, the competence a play adds, makes a
faster student (TeachMyAgent's variety of students).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from numpy.typing import ArrayLike, NDArray

from aclbench.envs.core import task_from_options
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace

MASTERED_COMPETENCE = 75


class ToyEnv(gym.Env[NDArray[np.float32], np.int64]):
    """Cells of competence over ``[0, 1] ** n_dims``; observation: the task itself.

    Args:
        n_dims: number of task dimensions, named ``x0, x1, ...``.
        cells_per_dim: cells along each dimension (10 in the paper's 2-D bench).
        noise: standard deviation of Gaussian noise added to each reward.
        low: lower bound of every dimension, <= 0 (module docstring).
        high: upper bound of every dimension, >= 1 (module docstring).
        gain: competence a play of a learnable cell adds, 1..100.
        origin: the corner competence spreads from, one 0 (low end) or 1 (high end) per
            dimension; ``None`` is the low corner of every dimension, as in the paper.

    ``competence`` is indexed from the origin: ``competence[0, ..., 0]`` is the origin cell,
    wherever it lies in the task space.
    """

    metadata = {"render_modes": []}
    mastered_threshold = MASTERED_COMPETENCE / 100

    def __init__(
        self,
        n_dims: int = 2,
        cells_per_dim: int = 10,
        noise: float = 0.0,
        low: float = 0.0,
        high: float = 1.0,
        gain: int = 1,
        origin: Sequence[int] | None = None,
    ) -> None:
        if n_dims < 1 or cells_per_dim < 1 or noise < 0:
            raise ValueError(
                f"toy: need n_dims >= 1, cells_per_dim >= 1, noise >= 0; got {n_dims}, "
                f"{cells_per_dim}, {noise}"
            )
        if not (low <= 0.0 and high >= 1.0 and isinstance(gain, int) and 1 <= gain <= 100):
            raise ValueError(
                f"toy: need low <= 0, high >= 1 and an integer gain in 1..100; got low={low}, "
                f"high={high}, gain={gain!r}"
            )
        corner = [0] * n_dims if origin is None else list(origin)
        if len(corner) != n_dims or any(c not in (0, 1) or isinstance(c, bool) for c in corner):
            raise ValueError(
                f"toy: origin must be {n_dims} values, each 0 (low end) or 1 (high end) of its "
                f"dimension, got {origin!r}"
            )
        self.n_dims, self.cells_per_dim, self.noise = n_dims, cells_per_dim, noise
        self.gain = gain
        self.origin = tuple(int(c) for c in corner)
        self.task_space = TaskSpace({f"x{i}": (low, high) for i in range(n_dims)})
        self._unit = TaskSpace({f"x{i}": (0.0, 1.0) for i in range(n_dims)})
        self.observation_space = spaces.Box(low, high, (n_dims,), np.float32)
        self.action_space = spaces.Discrete(1)
        self.competence = np.zeros((cells_per_dim,) * n_dims, dtype=np.int64)
        self.task: Task = np.zeros(n_dims)

    def cell(self, task: ArrayLike) -> tuple[int, ...] | None:
        """The index in ``competence`` of the cell ``task`` plays, counted from ``origin``: the
        origin cell where a coordinate is below 0, ``None`` (no cell: unfeasible) where one is
        above 1."""
        values = np.asarray(task, dtype=np.float64).tolist()  # a few floats: faster in Python
        if min(values) < 0.0:
            return (0,) * self.n_dims
        if max(values) > 1.0:
            return None
        top = self.cells_per_dim - 1
        index = [min(int(v * self.cells_per_dim), top) for v in values]
        return tuple(top - i if o else i for i, o in zip(index, self.origin))

    def competence_of(self, task: ArrayLike) -> float:
        """The competence at ``task`` in [0, 1], without playing it (used for evaluation)."""
        cell = self.cell(task)
        return 0.0 if cell is None else float(self.competence[cell]) / 100

    def mastered_fraction(self) -> float:
        return float(np.mean(self.competence > MASTERED_COMPETENCE))

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: competence above 75% (the env's threshold); returns run from 0 (nothing
        learned) to 1, the same scale GoalGAN reads its band on by default; ADR narrows at 0
        and widens at mastery. Easy tasks: the origin cell, where learning starts (a Gaussian at
        the origin, 10% of each range wide)."""
        easy = {name: float(c) for name, c in zip(self.task_space.names, self.origin)}
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (0.0, 1.0),
            initial=InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        """The centre of every cell of the unit cube, whatever ``low`` and ``high``."""
        return self._unit.grid(self.cells_per_dim)

    def _can_learn(self, cell: tuple[int, ...]) -> bool:
        """The origin cell, or one with a mastered previous neighbour: a cell one step back
        along one or more axes (diagonals count, as in the paper's code)."""
        if not any(cell):
            return True
        previous = self.competence[tuple(slice(max(i - 1, 0), i + 1) for i in cell)]
        mastered = int(np.count_nonzero(previous >= MASTERED_COMPETENCE))
        return mastered > int(self.competence[cell] >= MASTERED_COMPETENCE)  # not the cell

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = task_from_options(self, options)
        return self.task.astype(np.float32), {"task": self.task.copy()}

    def step(
        self, action: np.int64
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        cell = self.cell(self.task)
        if cell is not None and self._can_learn(cell):
            self.competence[cell] = min(self.competence[cell] + self.gain, 100)
        reward = self.competence_of(self.task)
        if self.noise > 0:
            reward += self.noise * float(self.np_random.standard_normal())
        return self.task.astype(np.float32), float(reward), True, False, {"task": self.task.copy()}
