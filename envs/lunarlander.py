"""``lunarlander``: Gymnasium's continuous LunarLander with gravity, wind and turbulence as task.

The stock env: a 4.96 kg lander starts ~10 m above the pad with a random push; the main engine
(50% to 100% throttle when on) gives it about 18 m/s^2 upright at full throttle, each side
engine about 4.9 rad/s^2 of angular acceleration (read from the simulation); wind is a lateral
force and turbulence a torque, each ``power * tanh(sin(2 k t) + sin(pi k t))`` along the
episode; 1000 steps; the stock task is gravity -10 without wind. Ranges: gravity [-20, -2]
(CARL's is [-20, 0]; Gymnasium's constructor only accepts (-12, 0), so the task sets the
attribute the Box2D world is rebuilt from at every reset), wind power [0, 20] N and turbulence
power [0, 4] N m (Gymnasium recommends up to 20 and 2).

Regions, checked with a full-state scripted controller that reads the task and the coming gust
(:func:`envs.controllers.lunarlander_action`), 12 to 20 starts per task:

- easy: moderate gravity (-4 to -13) with little or no wind and turbulence: lands every time.
- hard (the controller fails a share of starts): wind (5 to 20 N gusts push the lander
  sideways at up to 4 m/s^2), turbulence near the side engines' authority (3 to 4 N m), very
  low gravity (-2: the lander floats and drifts), and gravity near the engine's limit (-15,
  -16).
- unlearnable: gravity beyond about -17 m/s^2. Below -18 the main engine cannot even hold the
  lander: at full throttle it keeps gaining downward speed and crashes. Between -17 and -18 it
  brakes by under 1 m/s^2, so only nearly full throttle all the way down avoids a crash, and
  that fuel (0.3 per step) sinks the return below 200; the controller lands no start there.
  Turbulence stays within the side engines' torque authority
  (0.83 kg m^2 x 4.9 rad/s^2 = 4 N m), so it makes tasks hard, not impossible.

Mastered: return > 200, Gymnasium's ``reward_threshold`` for LunarLander ("solved"): a landing
on the pad that comes to rest, at a moderate fuel cost. Test set: the 4 x 4 x 4 grid of cell
centres (64 tasks; its gravity layer at -17.75 is unlearnable).

Recommended learner (the defaults of ``students/hyperparams.py``; budget for the easy
region, checked by ``benchmarks/perf/easy_region.py``):

- PPO: rl-baselines3-zoo's LunarLanderContinuous settings (16 envs, ``n_steps`` 1024,
  ``batch_size`` 64, ``gae_lambda`` 0.98, ``gamma`` 0.999, ``n_epochs`` 4, ``ent_coef``
  0.01), 1.5M steps. SAC (zoo: 500k steps) is too slow on a CPU for a 15-minute budget. PPO
  lands most, not all, starts of the easy region; the scripted controller lands them all.

Controller success rates: ``python -m benchmarks.perf.control_regions --env lunarlander``; the
learner's: ``python -m benchmarks.perf.easy_region --env lunarlander --algo ppo``; the figures
that set these regions and budgets are in ``results/perf/2026-12-04-envs-docstring-figures.md``.
"""

from __future__ import annotations

import numpy as np
from gymnasium.envs.box2d.lunar_lander import LunarLander
from gymnasium.utils import EzPickle
from numpy.typing import NDArray

from aclbench.envs.parameterized import TaskParamsMixin, check_physical_bounds, initial_task
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace


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
        turbulence_power: tuple[float, float] = (0.0, 4.0),
    ) -> None:
        super().__init__(render_mode=render_mode, continuous=True)
        EzPickle.__init__(self, render_mode, gravity, wind_power, turbulence_power)
        self.task_space = TaskSpace(
            {"gravity": gravity, "wind_power": wind_power, "turbulence_power": turbulence_power}
        )
        # the stock env turns the wind off unless a power is > 0: a negative one alone is lost
        check_physical_bounds(
            "lunarlander",
            self.task_space,
            {"wind_power": (0.0, True), "turbulence_power": (0.0, True)},
        )
        self.task: Task = initial_task(
            self.task_space, {"gravity": self.gravity, "wind_power": 0.0, "turbulence_power": 0.0}
        )

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: 200 (the env's threshold, Gymnasium's solved); returns run from -200 (a
        crash) to 300; ADR narrows at 0 and widens at 150. Easy tasks: around the stock lander
        (g = -10, no wind, no turbulence), 10% of each range wide."""
        easy = {"gravity": -10.0, "wind_power": 0.0, "turbulence_power": 0.0}
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (-200.0, 300.0),
            (0.0, 150.0),
            InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return self.task_space.grid(4)

    def _apply_task(self, task: Task) -> None:
        self.gravity, self.wind_power, self.turbulence_power = task.tolist()
        self.enable_wind = self.wind_power > 0.0 or self.turbulence_power > 0.0
