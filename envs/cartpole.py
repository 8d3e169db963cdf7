"""``cartpole``: Gymnasium's CartPole with the pole length, pole mass and push force as task.

The stock env pushes the cart with +-``force_mag`` every 20 ms (there is no "no push") and ends
the episode when the pole leaves +-12 degrees or the cart +-2.4 m; 500 steps; the stock task is
half-length 0.5 m, pole 0.1 kg, 10 N. Ranges, from CARL's CartPole context features (Benjamins
et al. 2023; length [0.05, 5], pole mass [0.01, 1], force [1, 100]) narrowed to where difficulty
changes: half-length [0.02, 0.5] m, pole mass [0.05, 1] kg, force [1, 100] N.

The cart-pole is controllable almost everywhere; what makes it hard is the kick of one forced
push. A push of ``F`` changes the pole's angular velocity by ``F dt / (M l (4/3 - m / M))``
(``M`` the total mass, ``m`` the pole's, ``l`` the half-length, ``dt`` = 20 ms), about
``0.014 F / l`` rad/s, and every step must push one way or the other. Regions, checked with a
full-state model-predictive controller (every sequence of the next 8 pushes on the true
model, LQR cost-to-go beyond; :func:`envs.controllers.cartpole_action`):

- easy: a long pole pushed moderately (``F / l`` under ~100 N/m, e.g. l >= 0.3 m with
  F = 5 to 20 N; the stock task is a corner): slow dynamics, small kicks.
- hard: ``F / l`` from ~300 to ~800 N/m: each push kicks the pole by 4 to 11 rad/s, and only
  precisely alternating pushes keep it in the band (the controller fails some starts there);
  also weak pushes on heavy poles.
- unlearnable: ``F / l`` above ~900 N/m (short, strongly pushed poles). The env's Euler step
  moves the angle by ``dt^2`` times the push's angular acceleration by the second step, which
  is then beyond 12 degrees whichever way the first push went: every episode ends after 2
  steps, whatever the policy (l = 0.02 m with F = 20 N; l = 0.05 m with F = 50 N; l = 0.1 m
  with F = 100 N).

The previous ranges (half-length [0.05, 2], force [1, 30]: ``F / l`` at most 600) held no
unlearnable task: the controller balances every corner.

Mastered: return > 475, Gymnasium's ``reward_threshold`` for CartPole-v1 (balanced for 95% of
the 500 steps). Test set: the 4 x 4 x 4 grid of cell centres (64 tasks), of which the
controller masters most, not all.

Recommended learner (the defaults of ``students/hyperparams.py``; budget for the easy
region, checked by ``benchmarks/perf/easy_region.py``):

- PPO: rl-baselines3-zoo's CartPole-v1 settings (8 envs, ``n_steps`` 32, ``batch_size`` 256,
  ``gae_lambda`` 0.8, ``gamma`` 0.98, ``n_epochs`` 20, ``ent_coef`` 0, ``learning_rate`` and
  ``clip_range`` linear from 1e-3 and 0.2), 100k steps.

Controller success rates: ``python -m benchmarks.perf.control_regions --env cartpole``; the
learner's: ``python -m benchmarks.perf.easy_region --env cartpole --algo ppo``; the figures that
set these regions and budgets are in ``results/perf/2026-12-04-envs-docstring-figures.md``.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from gymnasium.envs.classic_control.cartpole import CartPoleEnv
from numpy.typing import NDArray

from aclbench.envs.parameterized import TaskParamsMixin, check_physical_bounds, initial_task
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace


class TaskCartPoleEnv(TaskParamsMixin, CartPoleEnv):
    """CartPole whose physics are set from the task at every reset.

    Task dimensions: ``pole_length`` (half-length in m), ``pole_mass`` (kg), ``force_mag`` (N).
    """

    mastered_threshold = 475.0

    def __init__(
        self,
        render_mode: str | None = None,
        pole_length: tuple[float, float] = (0.02, 0.5),
        pole_mass: tuple[float, float] = (0.05, 1.0),
        force_mag: tuple[float, float] = (1.0, 100.0),
    ) -> None:
        super().__init__(render_mode=render_mode)
        # The stock bound on the pole angle is twice the 12-degree limit; a push on a short pole
        # (the unlearnable region) turns it by up to ~1.6 rad in the step that ends the
        # episode, so the bound is a half turn here, which no step can reach.
        high = np.array([2 * self.x_threshold, np.inf, np.pi, np.inf], dtype=np.float32)
        self.observation_space = spaces.Box(-high, high, dtype=np.float32)
        self.task_space = TaskSpace(
            {"pole_length": pole_length, "pole_mass": pole_mass, "force_mag": force_mag}
        )
        check_physical_bounds(
            "cartpole",
            self.task_space,
            {"pole_length": (0.0, False), "pole_mass": (0.0, True), "force_mag": (0.0, True)},
        )
        self.task: Task = initial_task(
            self.task_space,
            {"pole_length": self.length, "pole_mass": self.masspole, "force_mag": self.force_mag},
        )

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: 475 (the env's threshold, of 500 steps); returns run from 0 to 500; ADR
        narrows at 20 (a random policy's return) and widens at 400. Easy tasks: around the
        stock CartPole (half-length 0.5 m, 0.1 kg, 10 N), which PPO solves, 10% of each range
        wide."""
        easy = {"pole_length": 0.5, "pole_mass": 0.1, "force_mag": 10.0}
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (0.0, 500.0),
            (20.0, 400.0),
            InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return self.task_space.grid(4)

    def _apply_task(self, task: Task) -> None:
        self.length, self.masspole, self.force_mag = task.tolist()
        self.total_mass = self.masspole + self.masscart
        self.polemass_length = self.masspole * self.length
