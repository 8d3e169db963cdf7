"""``mountaincar``: Gymnasium's MountainCarContinuous with engine power and goal position as task.

The stock physics: ``v += f * power - 0.0025 cos(3 x)`` with the force ``|f| <= 1``, the speed
capped at 0.07, positions in [-1.2, 0.6] with an inelastic wall at -1.2, the start at rest
in [-0.6, -0.4], 999 steps; the stock task is power 0.0015, goal 0.45. Ranges: power
[0, 0.003], goal position [-0.2, 0.6] (the right hill's crest is at pi / 6 = 0.52).

Regions, checked with a full-state scripted controller (push along the velocity, which is
the fastest way to pump energy; :func:`envs.controllers.mountaincar_force`):

- easy: an engine stronger than the steepest slope (power >= 0.0025, the largest value of
  ``0.0025 cos(3 x)``): the car drives straight up, and pushing right all along reaches every
  goal. Below that power every goal needs a swing back first (at 0.0015 to 0.002, one or two).
- hard: a weak engine or a goal near the crest: many swings, and the action cost teaches a
  learner to idle, or to push right and stall on the slope, before it ever sees the goal.
- unlearnable: the engine is too weak for the height. With the energy
  ``E = v^2 / 2 + V(x)``, ``V(x) = 0.0025 / 3 sin(3 x)``, every left turn happens at rest at or
  right of the wall, so ``E <= V(-1.2)`` there; the last run to the goal then needs
  ``power * (goal + 1.2) >= V(goal) - V(-1.2)``, i.e. power above about 0.00025 to 0.00027 for
  goals from 0.4 to the crest, whatever the policy. At power below about 0.0001 even low goals
  take longer than the 999 steps to pump up to. Power 0 is an engine that does not run.

Mastered: return > 0, which here means exactly "reached the goal": reaching it pays +100 and
the action cost is at most 0.1 per step (actions are clipped to [-1, 1] by the learners), so at
most 99.9 over 999 steps; an episode that never reaches it has return <= 0. Test set: the
6 x 6 grid of cell centres (36 tasks); the two at power 0.00025 with goals 0.4 and 0.53 are
unlearnable.

Recommended learners (the defaults of ``students/hyperparams.py``; budget for the easy
region, checked by ``benchmarks/perf/easy_region.py``):

- SAC: rl-baselines3-zoo's MountainCarContinuous-v0 settings (``learning_rate`` 3e-4,
  ``buffer_size`` 50k, ``batch_size`` 512, ``ent_coef`` 0.1, ``train_freq`` 32,
  ``gradient_steps`` 32, ``tau`` 0.01, ``learning_starts`` 0, ``use_sde``, ``policy_kwargs``
  log_std_init -3.67 and net_arch [64, 64]) but ``gamma`` 0.99 instead of 0.9999 (easy
  episodes last under 100 steps; with 0.9999 the share mastered swung widely from one
  evaluation to the next), 20k steps. On the swing-back tasks just below the easy region
  (power 0.0015 to 0.002, goals -0.2 to 0.1) how much SAC masters depends on the seed and
  gamma: those are hard tasks.

Controller success rates: ``python -m benchmarks.perf.control_regions --env mountaincar``; the
learner's: ``python -m benchmarks.perf.easy_region --env mountaincar --algo sac``; the figures
that set these regions and budgets are in ``results/perf/2026-12-04-envs-docstring-figures.md``.
"""

from __future__ import annotations

import numpy as np
from gymnasium.envs.classic_control.continuous_mountain_car import Continuous_MountainCarEnv
from numpy.typing import NDArray

from aclbench.envs.parameterized import TaskParamsMixin, initial_task
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace


class TaskMountainCarEnv(TaskParamsMixin, Continuous_MountainCarEnv):
    """MountainCarContinuous whose engine power and goal are set from the task at reset.

    Task dimensions: ``power`` (velocity change per step at full throttle), ``goal_position``.
    """

    mastered_threshold = 0.0

    def __init__(
        self,
        render_mode: str | None = None,
        power: tuple[float, float] = (0.0, 0.003),
        goal_position: tuple[float, float] = (-0.2, 0.6),
    ) -> None:
        super().__init__(render_mode=render_mode)
        self.task_space = TaskSpace({"power": power, "goal_position": goal_position})
        self.task: Task = initial_task(
            self.task_space, {"power": self.power, "goal_position": self.goal_position}
        )

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: a return above 0 (the goal's +100 outweighs the engine's cost); returns run
        from -100 (full throttle all episode, goal missed) to 100; ADR narrows below 0 (goal
        missed) and widens at 50. Easy tasks: around the strongest engine and the nearest goal
        (the ends of the stock ranges: power 0.003, goal -0.2), 10% of each range wide."""
        easy = {"power": self.task_space.high[0], "goal_position": self.task_space.low[1]}
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (-100.0, 100.0),
            (0.0, 50.0),
            InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return self.task_space.grid(6)

    def _apply_task(self, task: Task) -> None:
        self.power, self.goal_position = task.tolist()
