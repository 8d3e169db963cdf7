"""``mpts``: Model Predictive Task Sampling.

Wang, Xiao, Mao, Qu, Shen, Lv and Ji (2025), "Model Predictive Task Sampling for Efficient and
Robust Adaptation" (arXiv 2501.11039). Evaluating every task to find the hard ones is what
robust (CVaR-style) task sampling needs and cannot afford; MPTS learns a *risk model* from the
(task, outcome) pairs already seen and lets it predict which tasks are hard:

- tasks go in batches of ``batch_size``: from a pool of ``pool_factor * batch_size`` uniform
  candidates, the model's picks are the candidates with the highest acquisition score
  ``gamma_mu * mean + gamma_sigma * std`` of their predicted risk (an upper confidence bound:
  likely hard, or not known well enough); ``uniform_fraction`` of each batch are uniform tasks;
- after every ``batch_size`` episodes fed back, the model (:mod:`teachers.mpts_net`, a small
  neural process trained by streaming variational inference) takes ``train_steps`` gradient
  steps, each on ``train_rows`` episodes drawn from the last ``memory`` ones.

The risk of an episode is its negative return, standardized by the mean and standard deviation
of all returns seen so far, so that the small network sees targets of order 1 whatever the
env's reward scale. Feedback on tasks the teacher did not propose counts the same.

MPTS is a teacher for *robustness*: it spends the student's episodes where it does worst, which
raises its worst returns, not necessarily the number of tasks it masters. Where the hardest
tasks are out of reach (the toy bench's far cells, the task graph's unlearnable tasks) it
spends its episodes there and masters no more than ``random``, or fewer; the tests show it
lifting the worst tasks of a student whose tasks are all learnable, some slowly.

Defaults and where they come from:

- ``gamma_mu`` 1 and ``gamma_sigma`` 5: mean + 5 std as in the paper's experiments (the
  reference code's sinusoid runs use 1 and 3);
- ``pool_factor`` 5: the reference's domain-randomization runs use a pool 2.5 to 25 times the
  batch, 5 for the pusher;
- ``batch_size`` 16: the reference's sinusoid batch of tasks;
- model widths (10 hidden units, 10 latent dimensions) and 20 latent samples: the reference's;
- ``uniform_fraction`` 0.1: ours.

Where ours differ: the reference trains one step per batch on that batch alone, at learning
rate 5e-4. Here batches are proposed by the model itself and so cluster where it scores high;
trained on them alone, the latent absorbs each batch's mean and the model predicts one value
everywhere (a rank correlation of -0.15 with a known return landscape after 3000 episodes; 0.92
when trained on draws from the memory). The reference's runs also train for far more batches
than a curriculum gets, hence 10 steps at 5e-3 per batch (a step count that also lifts the
worst tasks most, with 20 steps at 2e-3 about as good). Targets are standardized (the
reference regresses raw losses of order 1). Figures: ``results/perf/2026-12-04-recent-teachers.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.arms import RETURN_LIMIT
from aclbench.teachers.base import Teacher
from aclbench.teachers.params import check_fraction, check_int, check_number, check_positive
from aclbench.teachers.registry import register_teacher

if TYPE_CHECKING:
    from aclbench.teachers.mpts_net import RiskModel


@register_teacher("mpts")
class MPTSTeacher(Teacher):
    """Batches of the tasks a learned risk model scores highest (mean + k std), plus uniform ones.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (model weights and latent noise included).
        batch_size: tasks per batch; the model trains once per ``batch_size`` episodes.
        pool_factor: candidates per batch, as a multiple of ``batch_size`` (>= 1).
        uniform_fraction: share of each batch drawn uniformly instead of by the model.
        gamma_mu: weight of the predicted mean risk in the acquisition score.
        gamma_sigma: weight of its standard deviation (optimism).
        latent_samples: latent draws the mean and standard deviation are taken over.
        learning_rate: Adam step size of the risk model.
        train_steps: gradient steps of the risk model after each batch.
        train_rows: episodes per gradient step, drawn from the memory.
        memory: most recent episodes the risk model trains on.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        batch_size: int = 16,
        pool_factor: float = 5.0,
        uniform_fraction: float = 0.1,
        gamma_mu: float = 1.0,
        gamma_sigma: float = 5.0,
        latent_samples: int = 20,
        learning_rate: float = 5e-3,
        train_steps: int = 10,
        train_rows: int = 64,
        memory: int = 1000,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.batch_size = check_int(self, "batch_size", batch_size, 1)
        self.pool_factor = check_number(self, "pool_factor", pool_factor, 1.0)
        self.uniform_fraction = check_fraction(self, "uniform_fraction", uniform_fraction)
        self.gamma_mu = check_number(self, "gamma_mu", gamma_mu)
        self.gamma_sigma = check_number(self, "gamma_sigma", gamma_sigma)
        self.latent_samples = check_int(self, "latent_samples", latent_samples, 2)
        rate = check_positive(self, "learning_rate", learning_rate)
        self.train_steps = check_int(self, "train_steps", train_steps, 1)
        self.train_rows = check_int(self, "train_rows", train_rows, 1)
        self.memory = check_int(self, "memory", memory, self.batch_size)
        from aclbench.teachers.mpts_net import RiskModel  # torch, only where it is used

        self.model: RiskModel = RiskModel(
            len(task_space), seed=int(self.rng.integers(2**31)), learning_rate=rate
        )
        self.queue: list[Task] = []  # the rest of the current batch
        self.memory_tasks = np.zeros((self.memory, len(task_space)))  # ring buffer, unit cube
        self.memory_returns = np.zeros(self.memory)
        self.fed_back = 0  # episodes fed back so far
        self.return_mean, self.return_m2 = 0.0, 0.0
        self.trainings = 0
        self.last_loss: float | None = None

    # --- sampling ----------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        if not self.queue:
            self.queue = list(self._next_batch())
        return self.queue.pop(0)

    def _next_batch(self) -> NDArray[np.float64]:
        """``batch_size`` tasks: the model's picks from the pool and uniform ones, shuffled."""
        n_dims, size = len(self.task_space), self.batch_size
        n_model = 0 if self.trainings == 0 else size - round(self.uniform_fraction * size)
        uniform = self.task_space.from_unit(self.rng.random((size - n_model, n_dims)))
        if n_model == 0:
            return uniform
        pool_size = max(n_model, round(self.pool_factor * size))
        pool = self.task_space.from_unit(self.rng.random((pool_size, n_dims)))
        score = self.acquisition(pool)
        picks = pool[np.argsort(-score, kind="stable")[:n_model]]
        batch = np.concatenate([picks, uniform])
        return batch[self.rng.permutation(size)]

    def acquisition(self, tasks: NDArray[np.float64]) -> NDArray[np.float64]:
        """``gamma_mu * mean + gamma_sigma * std`` of the predicted risk, per task (``n``)."""
        noise = self.rng.standard_normal((self.latent_samples, self.model.latent))
        mean, std = self.model.predict(self.task_space.to_unit(tasks), noise)
        return self.gamma_mu * mean + self.gamma_sigma * std

    def predicted_returns(self, tasks: NDArray[np.float64]) -> NDArray[np.float64]:
        """The model's mean prediction of the return of ``tasks`` (``n`` x ``n_dims``), in
        return units; the latent noise comes from a generator of its own, not the teacher's."""
        noise = np.random.default_rng(0).standard_normal((self.latent_samples, self.model.latent))
        risk, _ = self.model.predict(self.task_space.to_unit(tasks), noise)
        return self.return_mean - risk * self._return_std()

    # --- update ------------------------------------------------------------------------------
    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        bounded = min(max(episode_return, -RETURN_LIMIT), RETURN_LIMIT)
        slot = self.fed_back % self.memory
        self.memory_tasks[slot] = self.task_space.to_unit(task)
        self.memory_returns[slot] = bounded
        self.fed_back += 1
        delta = bounded - self.return_mean  # Welford's running mean and variance
        self.return_mean += delta / self.fed_back
        self.return_m2 += delta * (bounded - self.return_mean)
        if self.fed_back % self.batch_size == 0:
            self._train()

    def _return_std(self) -> float:
        std = float(np.sqrt(self.return_m2 / self.fed_back)) if self.fed_back else 0.0
        return std if np.isfinite(std) and std > 0 else 1.0

    def _train(self) -> None:
        """``train_steps`` steps, each on ``train_rows`` episodes drawn from the memory."""
        held = min(self.fed_back, self.memory)
        with np.errstate(over="ignore", invalid="ignore"):
            risks = -(self.memory_returns[:held] - self.return_mean) / self._return_std()
        risks = np.clip(np.nan_to_num(risks), -1e3, 1e3)
        rows = min(self.train_rows, held)
        batches = []
        for _ in range(self.train_steps):
            chosen = self.rng.choice(held, size=rows, replace=False)
            batches.append((self.memory_tasks[chosen], risks[chosen]))
        noise = self.rng.standard_normal((self.train_steps, self.model.latent))
        self.last_loss = self.model.train(batches, noise)
        self.trainings += 1

    # --- report ------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        loss = self.last_loss
        return {
            "trainings": self.trainings,
            "last_loss": loss if loss is not None and np.isfinite(loss) else None,
        }
