"""``goal-gan``: a GAN that generates tasks of intermediate difficulty.

Florensa, Held, Geng and Abbeel (ICML 2018), "Automatic Goal Generation for Reinforcement
Learning Agents", as TeachMyAgent (Romac, Portelas, Hofmann and Oudeyer, ICML 2021) adapted it
to task spaces. A generator maps Gaussian noise to tasks; a discriminator learns which tasks are
*goals of intermediate difficulty* (GOID), those whose success rate lies in ``[goid_lb,
goid_ub]``; the two are trained as a least-squares GAN (:mod:`teachers.goal_gan_net`) so that
the generator proposes GOID tasks, and follows the frontier of the student's competence.

Protocol (TeachMyAgent's ``GoalGAN``):

- each new task is played ``n_rollouts`` times in a row (the next proposals repeat it); its
  score is the mean of its episodes' scores, its label ``goid_lb <= score <= goid_ub``;
- every ``update_size`` labelled tasks (so ``update_size * n_rollouts`` episodes), the GAN is
  trained for ``gan_iterations`` iterations on them, skipped when none is positive;
- tasks scoring above ``goid_ub`` enter a buffer of mastered tasks, unless one closer than
  ``success_distance_threshold`` x the unit cube's diagonal is there already; with probability
  ``p_old`` a proposal replays one of them (not labelled), else it is the generator's output;
- both get Gaussian noise of standard deviation ``state_noise_level`` (unit-cube units) and are
  clipped to the space.

Episode score: ``success`` when the harness gives it; else, with ``success_threshold``, whether
the return is above it (the paper's and TeachMyAgent's success); else (the default) the return
scaled to [0, 1] with ``return_bounds`` (clipped), so that a GOID task is one where the student
gets between 25 and 75 % of the return range. The harness passes no ``success``, and a binary
success labels as GOID only tasks whose ``n_rollouts`` outcomes disagree, which a deterministic
student (the toy bench) hardly ever gives; scaled returns need no threshold per env.

Defaults and their sources (TeachMyAgent ``run_utils/teacher_args_handler.py``,
``teachers/algos/goal_gan.py``, ``teachers/utils/gan/gan.py``): goid 0.25..0.75 (the paper uses
0.1..0.9), update_size 100, n_rollouts 2, p_old 0.2, success_distance_threshold 0.01, 250 GAN
iterations per update; generator 2 x 256 ReLU with tanh
output, discriminator 2 x 128 leaky ReLU (0.2), noise dimension = task dimensions, Glorot
uniform weights, RMSProp with learning rate 0.001 for both, batches of 64.

One default differs: ``state_noise_level`` is 0.05, not TeachMyAgent's command-line default
0.01. The SPDL experiments (Klink et al. 2020), whose GoalGAN code TeachMyAgent took, set it to
0.025..0.1 per env, mostly 0.05 or 0.1. With 0.01 the teacher stalls where the next learnable
tasks score 0 and lie more than a few noise widths from every GOID task: on the toy bench it
then does no better than ``random``, and with 0.05 it masters many times more cells. Its
teacher time is mostly the GAN trainings, one every ``update_size * n_rollouts`` episodes.
Measured by ``python -m benchmarks.perf.teachers_toy --teachers random alp-gmm goal-gan --dims
2``; figures in ``results/perf/2026-12-04-teachers-docstring-figures.md``.

Expert knowledge (:mod:`aclbench.expert_knowledge`): GoalGAN needs at least ``"low"``, as in
TeachMyAgent, which refuses to run it with none: its band is read on a return scale. At
``"low"``, ``return_bounds`` left unset is the env's ``return_range`` (the toy bench's is
``(0, 1)``, the default without knowledge). At ``"high"``, as TeachMyAgent's
``use_pretrained_samples``, the GAN is first trained on 1000 tasks of the initial
distribution, all labelled positive, for 500 iterations (the default of the SPDL code's
``pretrain``), before the first proposal, and proposes from the start.

Deviation: without that pretraining, tasks are uniform before the first GAN training.
TeachMyAgent uses the untrained generator; the paper initializes with goals reached by random
actions. With no initial distribution to give, uniform tasks are what the pretraining would aim
for, without its cost.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.task_space import Task, TaskSpace, task_key
from aclbench.teachers.base import Teacher
from aclbench.teachers.lp_common import ReturnScaler
from aclbench.teachers.params import check_fraction, check_int, check_number, config_error
from aclbench.teachers.registry import register_teacher

if TYPE_CHECKING:
    from aclbench.teachers.goal_gan_net import TaskGAN

MAX_PENDING = 4096
"""Most tasks awaiting their ``n_rollouts`` episodes; older ones are dropped (feedback that
never comes must not grow the teacher without bound)."""
MAX_BUFFER = 10_000
"""Most mastered tasks kept for replay; the oldest goes first."""
PRETRAIN_SAMPLES = 1000
"""Tasks of the initial distribution the GAN is pretrained on (TeachMyAgent)."""
PRETRAIN_ITERATIONS = 500
"""GAN iterations of the pretraining (the SPDL code's ``pretrain`` default)."""
DEFAULT_RETURN_BOUNDS = (0.0, 1.0)
"""``return_bounds`` without expert knowledge: the toy bench's returns."""


@register_teacher("goal-gan")
class GoalGanTeacher(Teacher):
    """GoalGAN (Florensa et al. 2018), in TeachMyAgent's version.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (network weights and noise included).
        goid_lb: lowest score of a goal of intermediate difficulty.
        goid_ub: highest score of a goal of intermediate difficulty.
        update_size: labelled tasks between two GAN trainings.
        n_rollouts: episodes played on each generated task to label it.
        p_old: probability of replaying a mastered task.
        state_noise_level: standard deviation of the noise added to proposals, in unit-cube
            units.
        success_distance_threshold: a mastered task enters the replay buffer only if no task
            there is closer than this fraction of the unit cube's diagonal.
        success_threshold: if set, an episode succeeds when its return is above it; if
            ``None``, episodes score their return scaled by ``return_bounds``.
        return_bounds: ``(low, high)`` returns mapped to 0 and 1 (clipped); ``None``: the
            expert knowledge's ``return_range``, else ``(0, 1)``.
        gan_iterations: GAN training iterations per update.
        expert_knowledge: given by the harness, at least ``"low"`` (see the module docstring).
    """

    expert_knowledge_needed: ClassVar[str] = "low"
    expert_knowledge_used: ClassVar[str] = "high"

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        goid_lb: float = 0.25,
        goid_ub: float = 0.75,
        update_size: int = 100,
        n_rollouts: int = 2,
        p_old: float = 0.2,
        state_noise_level: float = 0.05,
        success_distance_threshold: float = 0.01,
        success_threshold: float | None = None,
        return_bounds: Sequence[float] | None = None,
        gan_iterations: int = 250,
        expert_knowledge: ExpertKnowledge | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.goid_lb = check_fraction(self, "goid_lb", goid_lb)
        self.goid_ub = check_fraction(self, "goid_ub", goid_ub)
        if self.goid_lb > self.goid_ub:
            raise config_error(
                self, f"goid_lb must be <= goid_ub, got goid_lb={goid_lb!r}, goid_ub={goid_ub!r}"
            )
        self.update_size = check_int(self, "update_size", update_size, 1)
        self.n_rollouts = check_int(self, "n_rollouts", n_rollouts, 1)
        self.p_old = check_fraction(self, "p_old", p_old)
        self.noise = check_number(self, "state_noise_level", state_noise_level, 0.0)
        distance = check_number(self, "success_distance_threshold", success_distance_threshold, 0.0)
        self.min_distance = distance * math.sqrt(len(task_space))
        self.success_threshold = (
            None
            if success_threshold is None
            else check_number(self, "success_threshold", success_threshold)
        )
        knowledge = expert_knowledge or ExpertKnowledge()
        if return_bounds is None:
            return_bounds = knowledge.return_range or DEFAULT_RETURN_BOUNDS
        self.scale_return = ReturnScaler(self, return_bounds)
        self.warned_bounds = False
        self.gan_iterations = check_int(self, "gan_iterations", gan_iterations, 1)
        from aclbench.teachers.goal_gan_net import TaskGAN  # torch, only where it is used

        n_dims = len(task_space)
        self.gan: TaskGAN = TaskGAN(n_dims, n_dims, seed=int(self.rng.integers(2**31)))
        self.queue: list[Task] = []  # repeats of the last generated task still to propose
        self.pending: dict[bytes, list[list[float]]] = {}  # task -> scores of each open try
        self.contexts: list[NDArray[np.float64]] = []  # labelled tasks, unit cube
        self.labels: list[bool] = []
        self.buffer = np.zeros((0, n_dims))  # mastered tasks, unit cube
        self.gan_updates = 0
        self.last_goid_fraction: float | None = None
        self.last_losses: tuple[float, float] | None = None
        self.initial = knowledge.initial  # pretrained on before the first proposal
        self.pretrained = False

    # --- sampling ------------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        if self.queue:
            return self.queue.pop(0).copy()
        if self.initial is not None and not self.pretrained:
            self._pretrain()
        n_dims = len(self.task_space)
        replay = self.rng.random() < self.p_old and len(self.buffer) > 0
        if replay:
            unit = self.buffer[self.rng.integers(len(self.buffer))]
        elif self.gan_updates == 0 and not self.pretrained:
            unit = self.rng.random(n_dims)
        else:
            unit = 0.5 + self.gan.generate(self.rng.standard_normal((1, n_dims)))[0]
        unit = unit + self.noise * self.rng.standard_normal(n_dims)
        task = self.task_space.from_unit(np.clip(unit, 0.0, 1.0))
        if not replay:
            self._open(task)
        return task

    def _pretrain(self) -> None:
        """Train the GAN to generate the initial distribution's tasks (all labelled positive),
        at the first proposal rather than when built, so that checking a suite stays cheap."""
        assert self.initial is not None
        tasks = self.initial.sample(self.task_space, self.rng, PRETRAIN_SAMPLES)
        units = self.task_space.to_unit(tasks) - 0.5  # the GAN's coordinates
        labels = np.ones(len(units), dtype=bool)
        self.last_losses = self.gan.train(units, labels, PRETRAIN_ITERATIONS, self.rng)
        self.pretrained = True

    def _open(self, task: Task) -> None:
        """Await ``n_rollouts`` episodes on ``task``: the next proposals repeat it."""
        key = task_key(task)
        if key not in self.pending and len(self.pending) >= MAX_PENDING:
            del self.pending[next(iter(self.pending))]
        self.pending.setdefault(key, []).append([])
        self.queue = [task.copy() for _ in range(self.n_rollouts - 1)]

    # --- feedback ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        key = task_key(task)
        tries = self.pending.get(key)
        if tries is None:  # a replayed or foreign task: not labelled
            return
        tries[0].append(self._score(episode_return, success))
        if len(tries[0]) < self.n_rollouts:
            return
        score = float(np.mean(tries.pop(0)))
        if not tries:
            del self.pending[key]
        unit = self.task_space.to_unit(task)
        self.contexts.append(unit)
        self.labels.append(self.goid_lb <= score <= self.goid_ub)
        if score > self.goid_ub:
            self._remember(unit)
        if len(self.contexts) >= self.update_size:
            self._train()

    def _score(self, episode_return: float, success: bool | None) -> float:
        if success is not None:
            return float(success)
        if self.success_threshold is not None:
            return float(episode_return > self.success_threshold)
        low, high = self.scale_return.bounds or (-math.inf, math.inf)
        if not low <= episode_return <= high and not self.warned_bounds:
            self.warned_bounds = True  # once: the default bounds are the toy bench's
            warnings.warn(
                f"goal-gan: return {episode_return:g} is outside return_bounds ({low:g}, "
                f"{high:g}) and is clipped, so tasks differing beyond them look alike; give "
                "return_bounds the env's return range, or a success_threshold",
                stacklevel=2,
            )
        return self.scale_return(episode_return)

    def _remember(self, unit: NDArray[np.float64]) -> None:
        """Add a mastered task to the buffer, unless one as close is there already."""
        if len(self.buffer):
            nearest = float(np.min(np.linalg.norm(self.buffer - unit, axis=1)))
            if nearest <= self.min_distance:
                return
        self.buffer = np.vstack([self.buffer[-(MAX_BUFFER - 1) :], unit])

    def _train(self) -> None:
        labels = np.array(self.labels)
        self.last_goid_fraction = float(labels.mean())
        if labels.any():
            tasks = np.array(self.contexts) - 0.5  # the GAN's coordinates
            self.last_losses = self.gan.train(tasks, labels, self.gan_iterations, self.rng)
            self.gan_updates += 1
        self.contexts, self.labels = [], []

    # --- report --------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        losses = self.last_losses or (None, None)
        return {
            "gan_updates": self.gan_updates,
            "pretrained": self.pretrained,
            "replay_buffer": len(self.buffer),
            "last_goid_fraction": self.last_goid_fraction,
            "discriminator_loss": _finite_or_none(losses[0]),
            "generator_loss": _finite_or_none(losses[1]),
        }


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
