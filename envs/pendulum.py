"""``pendulum``: Gymnasium's Pendulum (continuous torque) with mass, length and gravity as task.

The stock physics are ``theta'' = 3 g / (2 l) sin(theta) + 3 / (m l^2) u`` with the torque
``|u| <= 2`` N m, the speed capped at 8 rad/s and 200 steps of 50 ms; the stock task is m = 1,
l = 1, g = 10. Ranges (CARL's Pendulum context features have no finite bounds, so these are
ours): mass [0.5, 4] kg, length [0.5, 2] m, gravity [2, 20] m/s^2.

Regions, checked with a full-state scripted controller (energy pumping, then LQR near the top;
:func:`envs.controllers.pendulum_torque`) over 20 random starts per task:

- easy: light, short and low gravity (m <= 1, l <= 1, g <= 10; the stock task is a corner).
  The torque is a good share of the weight's (m g l / 2 at horizontal), one or two swings
  bring the pendulum up, and the controller solves every start.
- hard: heavier or longer pendulums under more gravity need several pumping swings, which eat
  most of the return budget: the controller fails a share of starts (m = 2, l = 1, g = 10;
  m = 1, l = 2, g = 10; m = 2, l = 1.5, g = 5).
- unlearnable: two physical limits, neither a matter of tuning. (1) The torque injects energy
  at most at the rate ``2 |omega|``; from rest at the bottom, reaching the top takes at least
  ``T_min = 2 sqrt(a) / b`` seconds with ``a = 3 g / (2 l)`` and ``b = 6 / (m l^2)``, more than
  the 10-s episode for heavy, long pendulums under strong gravity (m = 4, l = 2, g = 20: 21 s;
  m = 4, l = 1.5, g = 15: 12 s). (2) The 8 rad/s speed cap bounds the kinetic energy: under
  strong gravity, with a torque too weak to hold the pendulum above horizontal, it cannot carry
  enough speed over the horizontal to climb the upper quarter (m = 4, l = 0.5, g = 20). The
  controller solves almost no start there: only a start next to upright with enough energy to
  keep swinging over the top passes.

Mastered: return > -400 over the 200 steps. The reward is ``-(theta^2 + 0.1 omega^2 +
0.001 u^2)``. A pendulum that never rises above the horizontal loses at least
``(pi / 2)^2 * 200 = 493``; the scripted controller swinging the stock pendulum up from the worst
start (hanging at rest) loses about 375. So a return above -400 means the pendulum was brought
up and held near upright. Test set: the 4 x 4 x 4 grid of cell centres (64 tasks).

Recommended learners (the defaults of ``students/hyperparams.py``; budget for the easy
region, checked by ``benchmarks/perf/easy_region.py``):

- SAC: rl-baselines3-zoo's Pendulum-v1 settings (``learning_rate`` 1e-3, SB3 defaults
  otherwise), 20k steps.
- PPO: rl-baselines3-zoo's Pendulum-v1 settings (4 envs, ``n_steps`` 1024, ``gae_lambda`` 0.95,
  ``gamma`` 0.9, ``n_epochs`` 10, ``learning_rate`` 1e-3, ``clip_range`` 0.2, ``use_sde`` with
  ``sde_sample_freq`` 4), 300k steps.

On the easy region SAC masters every easy test task within its budget, while PPO plateaus
below that (it misses the swing-up from a few starts), so SAC is the learner of choice here.

Controller success rates: ``python -m benchmarks.perf.control_regions --env pendulum``; the
learners': ``python -m benchmarks.perf.easy_region --env pendulum --algo sac`` (or ``ppo``); the
figures that set these regions and budgets are in
``results/perf/2026-12-04-envs-docstring-figures.md``.
"""

from __future__ import annotations

import numpy as np
from gymnasium.envs.classic_control.pendulum import PendulumEnv
from numpy.typing import NDArray

from aclbench.envs.parameterized import TaskParamsMixin, check_physical_bounds, initial_task
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace


class TaskPendulumEnv(TaskParamsMixin, PendulumEnv):
    """Pendulum whose mass ``m``, length ``l`` and gravity ``g`` are set from the task at reset.

    Task dimensions: ``mass`` (kg), ``length`` (m), ``gravity`` (m/s^2).
    """

    mastered_threshold = -400.0

    def __init__(
        self,
        render_mode: str | None = None,
        mass: tuple[float, float] = (0.5, 4.0),
        length: tuple[float, float] = (0.5, 2.0),
        gravity: tuple[float, float] = (2.0, 20.0),
    ) -> None:
        super().__init__(render_mode=render_mode)
        self.task_space = TaskSpace({"mass": mass, "length": length, "gravity": gravity})
        check_physical_bounds(
            "pendulum", self.task_space, {"mass": (0.0, False), "length": (0.0, False)}
        )
        self.task: Task = initial_task(
            self.task_space, {"mass": self.m, "length": self.l, "gravity": self.g}
        )

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: -400 (the env's threshold); returns run from -1600 (hanging down,
        spinning) to 0 (upright from the start); ADR narrows at -1200 (no swing-up) and
        widens at mastery. Easy tasks: around the stock pendulum (1 kg, 1 m, g = 10), 10% of
        each range wide."""
        easy = {"mass": 1.0, "length": 1.0, "gravity": 10.0}
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (-1600.0, 0.0),
            (-1200.0, self.mastered_threshold),
            InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return self.task_space.grid(4)

    def _apply_task(self, task: Task) -> None:
        self.m, self.l, self.g = task.tolist()
