"""``cartpole``: Gymnasium's CartPole with the pole length, pole mass and push force as task.

Ranges follow CARL's CartPole context features (Benjamins et al. 2023), narrowed so that the
space holds easy tasks (a long, light pole pushed with a moderate force is slow and forgiving),
hard ones, and unlearnable ones: a very short pole tips over within a few 20 ms control steps,
and a weak push cannot accelerate the cart fast enough to catch a heavy pole, whatever the
policy. Mastered means balancing for at least 475 of the 500 steps (Gymnasium's own
``reward_threshold`` for CartPole-v1).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleEnv
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from envs.core import task_from_options


class TaskCartPoleEnv(CartPoleEnv):
    """CartPole whose physics are set from the task at every reset.

    Task dimensions: ``pole_length`` (half-length in m), ``pole_mass`` (kg), ``force_mag`` (N).
    """

    mastered_threshold = 475.0

    def __init__(
        self,
        render_mode: str | None = None,
        pole_length: tuple[float, float] = (0.05, 2.0),
        pole_mass: tuple[float, float] = (0.05, 1.0),
        force_mag: tuple[float, float] = (1.0, 30.0),
    ) -> None:
        super().__init__(render_mode=render_mode)
        self.task_space = TaskSpace(
            {"pole_length": pole_length, "pole_mass": pole_mass, "force_mag": force_mag}
        )
        self.task: Task = self.task_space.from_dict(
            {"pole_length": self.length, "pole_mass": self.masspole, "force_mag": self.force_mag}
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return self.task_space.grid(3)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        if seed is not None:  # seed the generator before drawing a default task from it
            super().reset(seed=seed)
        self.task = task_from_options(self, options)
        self.length, self.masspole, self.force_mag = self.task.tolist()
        self.total_mass = self.masspole + self.masscart
        self.polemass_length = self.masspole * self.length
        obs, info = super().reset(options=options if options and "low" in options else None)
        return obs, {**info, "task": self.task.copy()}
