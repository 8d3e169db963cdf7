"""``lunarlander``: Gymnasium's continuous LunarLander with gravity, wind and turbulence as task.

DRAFT: regions and learner to be filled in from measurements.
"""

from __future__ import annotations

import numpy as np
from gymnasium.envs.box2d.lunar_lander import LunarLander
from gymnasium.utils import EzPickle
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from envs.parameterized import TaskParamsMixin, initial_task


class TaskLunarLanderEnv(TaskParamsMixin, LunarLander):
    """Continuous LunarLander whose gravity, wind and turbulence are set from the task at reset.

    Task dimensions: ``gravity`` (m/s^2, negative is down), ``wind_power`` (peak lateral force,
    N), ``turbulence_power`` (peak torque, N m). Wind and turbulence vary along each episode as
    in the stock env (a non-periodic function of the step, from a seeded offset).
    """

    mastered_threshold = 200.0

    def __init__(
        self,
        render_mode: str | None = None,
        gravity: tuple[float, float] = (-20.0, -2.0),
        wind_power: tuple[float, float] = (0.0, 20.0),
        turbulence_power: tuple[float, float] = (0.0, 8.0),
    ) -> None:
        super().__init__(render_mode=render_mode, continuous=True)
        EzPickle.__init__(self, render_mode, gravity, wind_power, turbulence_power)
        self.task_space = TaskSpace(
            {"gravity": gravity, "wind_power": wind_power, "turbulence_power": turbulence_power}
        )
        self.task: Task = initial_task(
            self.task_space, {"gravity": self.gravity, "wind_power": 0.0, "turbulence_power": 0.0}
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return self.task_space.grid(4)

    def _apply_task(self, task: Task) -> None:
        self.gravity, self.wind_power, self.turbulence_power = task.tolist()
        self.enable_wind = self.wind_power > 0.0 or self.turbulence_power > 0.0
