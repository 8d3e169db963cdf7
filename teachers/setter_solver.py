"""``setter-solver``: a setter proposes goals of a desired feasibility, a judge predicts success.

Racanière, Lampinen, Santoro, Reichert, Firoiu and Lillicrap (ICLR 2020), "Automated curricula
through setter-solver interactions", as TeachMyAgent (Romac, Portelas, Hofmann and Oudeyer,
ICML 2021) adapted it to task spaces (the student is the solver). The networks and losses are
in :mod:`teachers.setter_solver_net`; this module is the protocol:

- each proposal draws a feasibility ``f ~ U(0, 1)`` and a latent ``z ~ N(0, I)``; the setter
  maps them to a goal of the unit cube, which becomes the task (``TaskSpace.from_unit``);
- an episode succeeds when the harness says so (``success``) or its return is above the
  mastery threshold (``success_threshold``, by default the env's, from expert knowledge);
- every ``update_frequency`` episodes the judge is trained on the goals and successes of those
  episodes, then the setter on the proposals among them (validity on the succeeded ones,
  feasibility and coverage on all), and those episodes are forgotten.

Setter-Solver needs expert knowledge ``"low"`` (the success definition), as in TeachMyAgent,
which refuses to run it with none; it uses nothing more.

Defaults and their sources (TeachMyAgent ``run_utils/teacher_args_handler.py``,
``teachers/algos/setter_solver.py``, ``teachers/utils/setter_solver_utils.py``, the last from
the paper's authors): 3 blocks of 3 couplings, 3 highway blocks per network, judge with two
hidden layers of 64 (TeachMyAgent passes ``[64, 64, 64]``, and the authors' ``Judge`` drops the
first), Adam at ``3e-4``, one Adam step per network per training (``gradient_steps``), validity
noise uniform in ``[0, ub]``. ``update_frequency`` 50, ``setter_loss_noise_ub`` 0.1 and
``setter_hidden_size`` 64 are the values of TeachMyAgent's benchmark runs; its command line's
defaults are 100, 0.05 and 128. On the toy bench the benchmark's values master more cells, more
evenly across seeds, at a lower cost per training; ``gradient_steps=5`` masters more still at
about 4.5 times the teacher time, so the default keeps TeachMyAgent's single step. Figures:
``results/perf/2026-12-04-setter-solver.md`` (``python -m benchmarks.perf.teachers_toy
--teachers random setter-solver "setter-solver[gradient_steps=5]" --dims 2``).

Feedback on a task the teacher did not propose (a replayed or hand-picked one) trains the
judge only: the setter's losses need the feasibility the goal was set with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.task_space import Task, TaskSpace, task_key
from aclbench.teachers.base import Teacher
from aclbench.teachers.params import check_int, check_number, config_error, record
from aclbench.teachers.registry import register_teacher

if TYPE_CHECKING:
    from aclbench.teachers.setter_solver_net import SetterJudge

MAX_PENDING = 4096
"""Most proposals awaiting their episode; older ones are dropped (feedback that never comes
must not grow the teacher without bound)."""
MIN_FEASIBILITY = 1e-8
"""Least desired feasibility drawn (its logit, the feasibility loss's target, stays finite)."""


@register_teacher("setter-solver")
class SetterSolverTeacher(Teacher):
    """Setter-Solver (Racanière et al. 2020), in TeachMyAgent's version.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (network weights included).
        update_frequency: episodes between two trainings of the judge and the setter.
        setter_loss_noise_ub: upper bound of the uniform noise added to achieved goals (unit
            cube) in the validity loss.
        setter_hidden_size: width of the setter's highway networks.
        gradient_steps: Adam steps of each network per training (see the module docstring).
        n_blocks: blocks of three affine couplings in the setter.
        n_highway: highway blocks in each scale and translation network.
        judge_hidden: widths of the judge's hidden layers.
        learning_rate: Adam's step size for both networks.
        success_threshold: an episode succeeds when its return is above it; ``None``: the
            mastery threshold of the expert knowledge (required then).
        expert_knowledge: given by the harness, ``"low"`` at least.
    """

    expert_knowledge_needed: ClassVar[str] = "low"
    expert_knowledge_used: ClassVar[str] = "low"

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        update_frequency: int = 50,
        setter_loss_noise_ub: float = 0.1,
        setter_hidden_size: int = 64,
        gradient_steps: int = 1,
        n_blocks: int = 3,
        n_highway: int = 3,
        judge_hidden: tuple[int, ...] = (64, 64),
        learning_rate: float = 3e-4,
        success_threshold: float | None = None,
        expert_knowledge: ExpertKnowledge | None = None,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.update_frequency = check_int(self, "update_frequency", update_frequency, 1)
        self.noise_ub = check_number(self, "setter_loss_noise_ub", setter_loss_noise_ub, 0.0, 1.0)
        hidden = check_int(self, "setter_hidden_size", setter_hidden_size, 1)
        self.gradient_steps = check_int(self, "gradient_steps", gradient_steps, 1)
        blocks = check_int(self, "n_blocks", n_blocks, 1)
        highway = check_int(self, "n_highway", n_highway, 0)
        widths = _check_widths(self, judge_hidden)
        rate = check_number(self, "learning_rate", learning_rate, 0.0, above_low=True)
        if success_threshold is None and expert_knowledge is not None:
            success_threshold = expert_knowledge.mastery_threshold
        if success_threshold is None:
            raise config_error(
                self,
                "needs a success definition: give success_threshold (a return above it is a "
                "success), or run it with expert_knowledge = 'low' or 'high'",
            )
        self.success_threshold = check_number(self, "success_threshold", success_threshold)
        from aclbench.teachers.setter_solver_net import SetterJudge  # torch, where it is used

        self.nets: SetterJudge = SetterJudge(
            len(task_space),
            seed=int(self.rng.integers(2**31)),
            setter_hidden=hidden,
            n_blocks=blocks,
            n_highway=highway,
            judge_hidden=widths,
            learning_rate=rate,
        )
        n_dims = len(task_space)
        self.queue: list[tuple[NDArray[np.float64], float, NDArray[np.float64]]] = []
        self.pending: dict[bytes, list[tuple[NDArray[np.float64], float, NDArray[np.float64]]]]
        self.pending = {}  # task -> (goal, feasibility, latent) of each proposal awaiting play
        self.goals = np.zeros((0, n_dims))  # goals played since the last training, unit cube
        self.successes: list[bool] = []
        self.proposals: list[tuple[NDArray[np.float64], float, NDArray[np.float64], bool]] = []
        self.trainings = 0
        self.last_losses: dict[str, float] = {}
        self.last_success_rate: float | None = None

    # --- sampling ------------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        if not self.queue:
            self._refill()
        goal, feasibility, latent = self.queue.pop(0)
        task = self.task_space.from_unit(goal)
        key = task_key(task)
        if key not in self.pending and len(self.pending) >= MAX_PENDING:
            del self.pending[next(iter(self.pending))]
        self.pending.setdefault(key, []).append((goal, feasibility, latent))
        return task

    def _refill(self) -> None:
        """Set the goals of the episodes left until the next training in one batch: the setter
        does not change before it, and one forward pass for many goals costs about as much as
        for one."""
        n = max(1, self.update_frequency - len(self.successes))
        latents = self.rng.standard_normal((n, len(self.task_space)))
        feasibilities = self.rng.uniform(MIN_FEASIBILITY, 1.0, n)
        goals = self.nets.sample(latents, feasibilities)
        self.queue = list(zip(goals, feasibilities.tolist(), latents))

    # --- feedback ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        succeeded = (
            bool(success) if success is not None else episode_return > self.success_threshold
        )
        tries = self.pending.get(task_key(task))
        if tries:
            goal, feasibility, latent = tries.pop(0)
            if not tries:
                del self.pending[task_key(task)]
            self.proposals.append((goal, feasibility, latent, succeeded))
        else:  # not proposed by this teacher: for the judge only
            goal = self.task_space.to_unit(task)
        self.goals = np.vstack([self.goals, goal])
        self.successes.append(succeeded)
        if len(self.successes) >= self.update_frequency:
            self._train()

    def _train(self) -> None:
        successes = np.array(self.successes)
        self.last_success_rate = float(successes.mean())
        n_dims = len(self.task_space)
        latents = np.array([p[2] for p in self.proposals]).reshape(-1, n_dims)
        feasibilities = np.array([p[1] for p in self.proposals])
        won = [p for p in self.proposals if p[3]]
        achieved = np.array([p[0] for p in won]).reshape(-1, n_dims)
        achieved = achieved + self.rng.uniform(0.0, self.noise_ub, achieved.shape)
        self.last_losses = self.nets.train(
            self.goals,
            successes,
            latents,
            feasibilities,
            achieved,
            np.array([p[1] for p in won]),
            self.gradient_steps,
        )
        self.trainings += 1
        self.goals = np.zeros((0, n_dims))
        self.successes, self.proposals, self.queue = [], [], []

    # --- report --------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        return {
            "trainings": self.trainings,
            "last_success_rate": self.last_success_rate,
            **{f"{name}_loss": _finite_or_none(v) for name, v in self.last_losses.items()},
        }


def _check_widths(owner: Teacher, widths: Any) -> tuple[int, ...]:
    ok = isinstance(widths, (list, tuple)) and len(widths) > 0
    ok = ok and all(isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in widths)
    if not ok:
        raise config_error(
            owner, f"judge_hidden must be a non-empty list of integers >= 1, got {widths!r}"
        )
    return record(owner, "judge_hidden", tuple(widths))


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
