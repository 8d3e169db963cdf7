"""``spdl``: Self-Paced Deep RL, a Gaussian over tasks that moves toward a target as it pays.

Klink, Abdulsamad, Belousov and Peters (NeurIPS 2020), "Self-Paced Deep Reinforcement Learning";
as TeachMyAgent (Romac et al., ICML 2021) ported the authors' code (psclklnk/spdl).

Tasks are drawn from a Gaussian ``p`` (full covariance, in the unit cube of the task space,
clipped to it). Every ``update_frequency`` episodes from the ``offset``-th on, ``p`` is replaced
by the Gaussian that maximizes::

    mean_i[ p(c_i) / p_old(c_i) * V(c_i) ]  -  alpha * KL(p || target)
    subject to  KL(p || p_old) <= max_kl

over the buffer of (task ``c_i``, value ``V(c_i)`` of the episode's initial state) pairs
gathered since the last update (at most ``buffer_size``, the latest), with scipy's SLSQP (a
backtracking line search toward ``p_old`` where its answer breaks the trust region or does not
improve the objective, as the authors' line search does). ``alpha`` is 0 for the first
``alpha_offset`` updates (the student first learns where it starts), then ``min(zeta * perf /
KL(p_old || target), 1e5)``, so that the pull toward the target is a fraction ``zeta`` of the
performance ``perf``: the mean return since the last update (``use_avg_performance``), or the
mean value of the buffer. The target is the distribution of tasks the student should end up
mastering.

Values come from the student (``Capabilities.initial_values``): PPO and A2C give the value
predictions of their rollouts at episode starts, SAC, TD3 and DQN their critic at the initial
observation, the ``simulated`` student the competence of the task, which is its expected return.
A student that gives none (a plain loop, ``check_teacher``): each episode's return stands in, a
Monte Carlo estimate of the same value (undiscounted).

Defaults and their sources (TeachMyAgent's benchmark settings; ``ALGORITHMS.md``):
``max_kl`` 0.1, ``zeta`` 0.25, ``alpha_offset`` 10, ``use_avg_performance``, ``buffer_size``
1000 (emptied at each update). Without expert knowledge: initial Gaussian at a uniform random
mean with std 10 % of each range; target at the centre with std a quarter of each range.

Deviations: TeachMyAgent updates every 5e4 env steps from step 2e5 on; a teacher here counts
episodes, so ``update_frequency`` (100) and ``offset`` (400) are episodes, the same 1 : 4 ratio
(5e4 steps are 25 to 500 episodes of Stump Tracks, whose episodes last 100 to 2000 steps).
The trust region is KL(new || old), the paper's; the authors' code bounds KL(old || new), equal
to second order. Its performance is a discounted return (gamma 0.99), ours the undiscounted one
the teacher receives. The authors' optional lower bound on the standard deviation
(``std_lower_bound``, with ``kl_threshold``) is off by default, as in TeachMyAgent's benchmark.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

from aclbench.errors import InvalidTaskError
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Capabilities, Teacher
from aclbench.teachers.lp_common import unit_to_task_affine
from aclbench.teachers.params import (
    check_bool,
    check_int,
    check_number,
    check_positive,
    config_error,
    record,
)
from aclbench.teachers.registry import register_teacher

MAX_ALPHA = 1e5
"""Cap of ``alpha`` (the authors' code), for a target the distribution is already on."""
KL_TOLERANCE = 1e-6
"""Relative excess over ``max_kl`` accepted from the optimizer (SLSQP lands on the constraint
within its tolerance, sometimes just outside)."""
LOG_STD_LIMITS = (-30.0, 10.0)
"""Bounds of a log standard deviation in the optimizer's parameters (the unit cube's scale)."""


@register_teacher("spdl")
class SpdlTeacher(Teacher):
    """SPDL (Klink et al. 2020); see the module docstring for the algorithm.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's generator (``0`` is valid).
        initial_mean: task at the mean of the initial Gaussian; ``None`` draws one uniformly.
        initial_std: its standard deviation, a fraction of each dimension's range (one number,
            or one per dimension).
        target_mean: task at the mean of the target Gaussian; ``None``: the space's centre.
        target_std: its standard deviation, as ``initial_std``.
        update_frequency: episodes between two updates of the Gaussian.
        offset: episodes before the first update.
        alpha_offset: first updates made with ``alpha = 0``.
        zeta: share of the performance the KL penalty to the target makes up.
        max_kl: trust region, the most KL(new || old) of one update.
        buffer_size: most (task, value) pairs an update uses, the latest.
        use_avg_performance: ``alpha`` from the mean return (true) or the mean value (false).
        std_lower_bound: if set, while KL(p || target) > ``kl_threshold``, each diagonal entry
            of the Cholesky factor (a standard deviation, for a diagonal covariance) is kept at
            least this fraction of the dimension's range after every update.
        kl_threshold: see ``std_lower_bound``.
    """

    capabilities = Capabilities(initial_values=True)

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        initial_mean: Sequence[float] | None = None,
        initial_std: float | Sequence[float] = 0.1,
        target_mean: Sequence[float] | None = None,
        target_std: float | Sequence[float] = 0.25,
        update_frequency: int = 100,
        offset: int = 400,
        alpha_offset: int = 10,
        zeta: float = 0.25,
        max_kl: float = 0.1,
        buffer_size: int = 1000,
        use_avg_performance: bool = True,
        std_lower_bound: float | None = None,
        kl_threshold: float = 0.0,
    ) -> None:
        super().__init__(task_space, seed=seed)
        self.update_frequency = check_int(self, "update_frequency", update_frequency, 1)
        self.offset = check_int(self, "offset", offset, 0)
        self.alpha_offset = check_int(self, "alpha_offset", alpha_offset, 0)
        self.zeta = check_number(self, "zeta", zeta, 0.0)
        self.max_kl = check_positive(self, "max_kl", max_kl)
        self.buffer_size = check_int(self, "buffer_size", buffer_size, 1)
        self.use_avg_performance = check_bool(self, "use_avg_performance", use_avg_performance)
        self.std_lower_bound = (
            None
            if std_lower_bound is None
            else check_number(self, "std_lower_bound", std_lower_bound, 0.0)
        )
        self.kl_threshold = check_number(self, "kl_threshold", kl_threshold, 0.0)
        n_dims = len(task_space)
        self.mean = self._mean("initial_mean", initial_mean, self.rng.random(n_dims))
        self.chol = np.diag(self._std("initial_std", initial_std))
        self.target_mean = self._mean("target_mean", target_mean, np.full(n_dims, 0.5))
        self.target_chol = np.diag(self._std("target_std", target_std))
        self.contexts: deque[NDArray[np.float64]] = deque(maxlen=self.buffer_size)
        self.values: deque[float] = deque(maxlen=self.buffer_size)
        self.returns: list[float] = []
        self.values_given = False  # the student gives initial values: returns no longer stand in
        self.updates = 0
        self.alpha = 0.0

    def _mean(
        self, name: str, task: Sequence[float] | None, default: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """The unit-cube point of ``task`` (noted in task units), or ``default``."""
        space = self.task_space
        if task is None:
            record(self, name, space.from_unit(default).tolist())
            return default
        try:
            valid = space.validate(np.array(task, dtype=np.float64))
        except (InvalidTaskError, TypeError, ValueError) as err:
            raise config_error(self, f"{name} must be a task of {space!r}, got {task!r}") from err
        record(self, name, valid.tolist())
        return space.to_unit(valid)

    def _std(self, name: str, std: float | Sequence[float]) -> NDArray[np.float64]:
        n_dims = len(self.task_space)
        values = list(std) if isinstance(std, Sequence) and not isinstance(std, str) else [std]
        ok = len(values) in (1, n_dims) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < math.inf
            for v in values
        )
        if not ok:
            raise config_error(
                self,
                f"{name} must be a finite number > 0 or {n_dims} of them (fractions of each "
                f"dimension's range), got {std!r}",
            )
        record(self, name, std)
        return np.broadcast_to(np.array(values, dtype=np.float64), (n_dims,)).copy()

    # --- sampling ----------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        unit = self.mean + self.chol @ self.rng.standard_normal(len(self.mean))
        return self.task_space.from_unit(np.clip(unit, 0.0, 1.0))

    # --- feedback ----------------------------------------------------------------------------
    def _on_initial_values(self, tasks: NDArray[np.float64], values: NDArray[np.float64]) -> None:
        if len(values):
            self.values_given = True
        self.contexts.extend(self.task_space.to_unit(tasks))
        self.values.extend(values.tolist())

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        self.returns.append(episode_return)
        if not self.values_given:
            self.contexts.append(self.task_space.to_unit(task))
            self.values.append(episode_return)
        count = self.episodes + 1
        if count >= self.offset and count % self.update_frequency == 0 and self.values:
            self._improve()

    def _improve(self) -> None:
        """One SPDL step on the buffer, which is then emptied, as are the returns."""
        contexts, values = np.array(self.contexts), np.array(self.values)
        returns, self.returns = np.array(self.returns), []
        self.contexts.clear()
        self.values.clear()
        self.updates += 1
        target = (self.target_mean, self.target_chol)
        if self.updates <= self.alpha_offset:
            self.alpha = 0.0
        else:
            perf = _mean(returns if self.use_avg_performance and len(returns) else values)
            kl = max(gaussian_kl((self.mean, self.chol), target), 1e-10)
            self.alpha = min(self.zeta * max(perf, 0.0) / kl, MAX_ALPHA)
        scale = float(np.max(np.abs(values))) or 1.0
        with np.errstate(all="ignore"):
            self.mean, self.chol = trust_region_step(
                (self.mean, self.chol),
                target,
                contexts,
                values / scale,
                self.alpha / scale,
                self.max_kl,
            )
        kl = gaussian_kl((self.mean, self.chol), target)
        if self.std_lower_bound is not None and kl > self.kl_threshold:
            diagonal = np.diag_indices(len(self.mean))
            self.chol[diagonal] = np.maximum(self.chol[diagonal], self.std_lower_bound)

    # --- report ------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """The Gaussian in task units (clipping aside), and the state of the updates:
        ``{"mean": [n_dims], "std": [n_dims], "updates": k, "alpha": a, "kl_to_target": d}``."""
        offset, span = unit_to_task_affine(self.task_space)
        std = np.sqrt(np.sum(self.chol**2, axis=1))
        kl = gaussian_kl((self.mean, self.chol), (self.target_mean, self.target_chol))
        return {
            "mean": (offset + span * self.mean).tolist(),
            "std": (span * std).tolist(),
            "updates": self.updates,
            "alpha": self.alpha,
            "kl_to_target": kl if math.isfinite(kl) else None,
        }


Gaussian = tuple[NDArray[np.float64], NDArray[np.float64]]
"""``(mean, cholesky factor)``: ``n_dims`` and ``n_dims`` x ``n_dims`` (lower triangular)."""


def _mean(values: NDArray[np.float64]) -> float:
    """The mean, without overflow for values near the float limit."""
    top = float(np.max(np.abs(values))) if len(values) else 0.0
    return float(np.mean(values / top)) * top if top > 0 else 0.0


def log_density(points: NDArray[np.float64], gaussian: Gaussian) -> NDArray[np.float64]:
    """Log density of ``gaussian`` at ``points`` (``n`` x ``n_dims``): ``n`` values."""
    mean, chol = gaussian
    z = (points - mean) @ np.linalg.inv(chol).T
    log_det = float(np.sum(np.log(np.diag(chol))))
    return -0.5 * np.sum(z**2, axis=1) - log_det - 0.5 * len(mean) * math.log(2 * math.pi)


def gaussian_kl(p: Gaussian, q: Gaussian) -> float:
    """KL(p || q) of two Gaussians, in closed form."""
    (mean_p, chol_p), (mean_q, chol_q) = p, q
    inverse = np.linalg.inv(chol_q)
    ratio, shift = inverse @ chol_p, inverse @ (mean_q - mean_p)
    log_det = np.sum(np.log(np.diag(chol_q))) - np.sum(np.log(np.diag(chol_p)))
    return float(0.5 * (np.sum(ratio**2) + np.sum(shift**2) - len(mean_p)) + log_det)


def pack(gaussian: Gaussian) -> NDArray[np.float64]:
    """The optimizer's parameters: mean, log of the diagonal, strictly lower entries."""
    mean, chol = gaussian
    lower = np.tril_indices(len(mean), -1)
    return np.concatenate([mean, np.log(np.diag(chol)), chol[lower]])


def unpack(x: NDArray[np.float64], n_dims: int) -> Gaussian:
    """Inverse of :func:`pack`."""
    chol = np.zeros((n_dims, n_dims))
    chol[np.tril_indices(n_dims, -1)] = x[2 * n_dims :]
    chol[np.diag_indices(n_dims)] = np.exp(np.clip(x[n_dims : 2 * n_dims], *LOG_STD_LIMITS))
    return x[:n_dims].copy(), chol


def trust_region_step(
    old: Gaussian,
    target: Gaussian,
    contexts: NDArray[np.float64],
    values: NDArray[np.float64],
    alpha: float,
    max_kl: float,
) -> Gaussian:
    """The Gaussian maximizing SPDL's objective within KL(new || old) <= ``max_kl``.

    SLSQP from ``old``; if its answer leaves the trust region (beyond a relative
    :data:`KL_TOLERANCE`) or does not improve the
    objective (it can stop early on a hard problem), the point is pulled back toward ``old``
    by halving, at most 10 times, and ``old`` is kept if none qualifies.
    """
    n_dims = len(old[0])
    old_log_density = log_density(contexts, old)

    def objective(x: NDArray[np.float64]) -> float:
        if not np.isfinite(x).all():
            return math.inf
        new = unpack(x, n_dims)
        ratio = np.exp(np.minimum(log_density(contexts, new) - old_log_density, 50.0))
        value = float(np.mean(ratio * values)) - alpha * gaussian_kl(new, target)
        return -value if math.isfinite(value) else math.inf

    def slack(x: NDArray[np.float64]) -> float:
        if not np.isfinite(x).all():
            return -math.inf
        kl = gaussian_kl(unpack(x, n_dims), old)
        return max_kl - kl if math.isfinite(kl) else -math.inf

    start = pack(old)
    try:
        result = minimize(
            objective,
            start,
            method="SLSQP",
            constraints=[{"type": "ineq", "fun": slack}],
            options={"maxiter": 100, "ftol": 1e-9},
        ).x
    except (np.linalg.LinAlgError, ValueError):  # a degenerate buffer: no step
        return old
    base = objective(start)
    step = result - start if np.isfinite(result).all() else np.zeros_like(start)
    for _ in range(11):
        x = start + step
        if slack(x) >= -KL_TOLERANCE * max_kl and objective(x) < base:
            return unpack(x, n_dims)
        step = step / 2
    return old
