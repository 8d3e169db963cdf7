"""``exp3`` and ``exp3s``: adversarial bandits over tasks, rewarded by learning progress.

EXP3 and EXP3.S are from Auer, Cesa-Bianchi, Freund and Schapire (2002), "The Nonstochastic
Multiarmed Bandit Problem"; Graves, Bellemare, Menick, Munos and Kavukcuoglu (2017), "Automated
Curriculum Learning for Neural Networks", drove a curriculum with EXP3.S. We follow Graves et
al.'s formulation, with log-weights ``w`` over the N tasks:

- policy: ``pi(i) = (1 - epsilon) * softmax(w)_i + epsilon / N``;
- after an episode on task ``a`` with rescaled reward ``r``: ``r_i = (r * [i = a] + beta) /
  pi(i)`` and ``w_i <- log((1 - alpha) * exp(w_i + eta * r_i) + alpha / (N - 1) *
  sum_{j != i} exp(w_j + eta * r_j))``. With ``alpha = 0`` this is EXP3; the weight sharing of
  EXP3.S (``alpha > 0``) lets the bandit follow a best task that changes, as it does along a
  curriculum.

The progress signal of an episode is the absolute slope of a line fitted to the task's last
``window`` returns against its play count (how much one more episode of that task changes its
return, up or down); the first episode of a task gives none. Graves et al.'s signals are
loss- or complexity-driven and divided by the time the sample took (``r^ = nu / tau(x)``, their
Algorithm 1); here every episode counts as one unit of time. As in their reward scaling,
signals are rescaled to [-1, 1] by the 20th and 80th percentiles of the unscaled signals seen
before (kept by reservoir sampling, ``history`` of them): below the low quantile -> -1, above
the high one -> 1, linear in between. ``pi`` is the policy when the feedback arrives, which is
the one the task was drawn from when episodes are fed back one by one (Graves et al.'s
``pi_t``); with several tasks drawn before their feedback it is a later policy.

Defaults and where they come from (ALGORITHMS.md gives none of them):

- ``epsilon`` 0.05 and ``beta`` 0: Graves et al.'s values (their experiments use ``eta`` 1e-3,
  ``beta`` 0, ``epsilon`` 0.05; a public replication of them passes the same three).
- ``eta`` 0.1: ours, not the paper's 1e-3, used over runs of far more steps. In runs of a
  thousand episodes 1e-3 barely moves the weights, and ``exp3s`` then does no better than
  ``random`` on the task-graph student, while 0.1 masters its chain soonest (measured by
  ``python -m benchmarks.perf.task_set_teachers``). Auer et al. tie the rate to the horizon for
  the same reason.
- ``alpha`` 0.02 (EXP3.S): a fixed sharing rate as in Auer et al.'s EXP3.S (who set it to
  ``1/T`` for a horizon ``T``; 0.02 is ``T = 50``, our choice). Graves et al. write the rate
  ``alpha_t``, indexed by the step; we could not confirm from their text how it is scheduled
  (public re-implementations of their method use ``1/t``). A decaying ``1/t`` does about as
  well on the task-graph student.
- ``window`` 10: ours (the progress signal here is our slope, not one of Graves et al.'s).
- ``history`` 1000: ours; Graves et al. keep a reservoir sample of the reward history but we
  found no size in their text (public re-implementations keep 10,000 or 50,000).

Plain ``exp3`` is not expected to follow a curriculum, and it does not beat ``random`` on the
task-graph student, whatever its ``eta`` or reward range. EXP3 competes with the best *fixed*
arm: the arm that progressed first keeps its cumulative lead once mastered (its signal falls to
the noise level, and the quantiles follow it down, so its rewards average about 0), and an arm
pushed down while it was locked (``eta * r / pi`` is large and negative for an arm with a small
``pi``) stays out of reach. EXP3.S's sharing is what fixes both; ``exp3`` is kept as the
baseline that shows it. What EXP3 is for, finding the best fixed arms, it does: with a few
independent learnable tasks among unlearnable ones, it masters more of them than ``random``,
which the tests check.

Figures: ``python -m benchmarks.perf.task_set_teachers``; those that chose the defaults are in
``results/perf/2026-12-04-teachers-docstring-figures.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import TaskSpace
from aclbench.teachers.arms import ArmTeacher, BinsSpec, draw
from aclbench.teachers.params import check_fraction, check_int, check_number, check_positive
from aclbench.teachers.registry import register_teacher
from aclbench.teachers.return_windows import ReturnWindows

QUANTILES = np.array([0.2, 0.8])


def _quantiles(ordered: np.ndarray) -> tuple[float, float]:
    """The :data:`QUANTILES` of sorted values, interpolated linearly (numpy's default)."""
    position = QUANTILES * (ordered.size - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, ordered.size - 1)
    values = ordered[below] + (position - below) * (ordered[above] - ordered[below])
    return float(values[0]), float(values[1])


def exp3s_step(
    log_weights: NDArray[np.float64],
    pi: NDArray[np.float64],
    arm: int,
    reward: float,
    eta: float,
    beta: float,
    share: float,
) -> NDArray[np.float64]:
    """One EXP3.S update of the log-weights after ``reward`` on ``arm`` drawn from ``pi``.

    Returns the new log-weights, shifted so that their maximum is 0 (the policy is unchanged by
    a shift, and the weights stay finite). ``share = 0`` gives EXP3.
    """
    estimates = np.full(log_weights.size, beta) / pi
    estimates[arm] += reward / pi[arm]
    raised = log_weights + eta * estimates
    if share > 0 and log_weights.size > 1:
        top = raised.max()
        mass = np.exp(raised - top)
        shared = share / (log_weights.size - 1) * (mass.sum() - mass)
        raised = top + np.log((1 - share) * mass + shared)
    return raised - raised.max()


@register_teacher("exp3")
class Exp3Teacher(ArmTeacher):
    """EXP3 over the arms of the task space, rewarded by rescaled absolute learning progress.

    Args:
        eta: step size of the weight update.
        epsilon: share of uniform exploration in the policy.
        beta: optimism added to every arm's importance-weighted reward.
        window: the returns per task the progress slope is fitted to.
        history: the progress signals kept (by reservoir sampling) for the quantiles.
        bins: how a space other than one discrete dimension is cut into arms.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        eta: float = 0.1,
        epsilon: float = 0.05,
        beta: float = 0.0,
        window: int = 10,
        history: int = 1000,
        bins: BinsSpec = None,
    ) -> None:
        super().__init__(task_space, seed=seed, bins=bins)
        self.eta = check_positive(self, "eta", eta)
        self.epsilon = check_fraction(self, "epsilon", epsilon)
        self.beta = check_number(self, "beta", beta, 0.0)
        self.share = 0.0
        self.log_weights = np.zeros(self.n_arms)
        self.windows = ReturnWindows(self.n_arms, check_int(self, "window", window, 2))
        self.reservoir = np.zeros(check_int(self, "history", history, 1))
        self.signals_seen = 0

    # --- sampling ----------------------------------------------------------------------------
    def probabilities(self) -> NDArray[np.float64]:
        """``pi``: softmax of the log-weights mixed with ``epsilon`` of uniform, ``n_arms``."""
        weights = np.exp(self.log_weights - self.log_weights.max())
        return (1 - self.epsilon) * weights / weights.sum() + self.epsilon / self.n_arms

    def _choose_arm(self) -> int:
        return draw(self.probabilities(), self.rng)

    # --- update ------------------------------------------------------------------------------
    def _update_arm(self, arm: int, episode_return: float) -> None:
        self.windows.push(arm, float(self.windows.counts[arm]), episode_return)
        progress = abs(self.windows.arm_slope(arm))
        if np.isnan(progress):
            return
        reward = self._rescale(progress)
        self.log_weights = exp3s_step(
            self.log_weights, self.probabilities(), arm, reward, self.eta, self.beta, self.share
        )

    def _rescale(self, signal: float) -> float:
        """Map ``signal`` to [-1, 1] by the quantiles of the signals before it, then record it.

        Graves et al. take the quantiles of the history up to the previous step; the first
        signal, with no history, gives 0.
        """
        size = self.reservoir.size
        held = min(self.signals_seen, size)
        reward = 0.0
        if held:
            low, high = _quantiles(np.sort(self.reservoir[:held]))
            if high <= low:
                reward = float(np.sign(signal - low))
            else:
                reward = float(np.clip(2 * (signal - low) / (high - low) - 1, -1.0, 1.0))
        if self.signals_seen < size:
            self.reservoir[self.signals_seen] = signal
        else:
            slot = int(self.rng.integers(self.signals_seen + 1))
            if slot < size:
                self.reservoir[slot] = signal
        self.signals_seen += 1
        return reward

    def inner_state(self) -> dict[str, Any]:
        return {"probabilities": self.probabilities().tolist()}


@register_teacher("exp3s")
class Exp3STeacher(Exp3Teacher):
    """EXP3.S: EXP3 whose weights share ``alpha`` of their mass at every update.

    Args:
        alpha: weight-sharing rate (0 gives EXP3); see :class:`Exp3Teacher` for the others.
    """

    def __init__(self, task_space: TaskSpace, *, alpha: float = 0.02, **kwargs: Any) -> None:
        super().__init__(task_space, **kwargs)
        self.share = check_fraction(self, "alpha", alpha)
