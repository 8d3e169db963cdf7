"""The level buffer of Prioritized Level Replay and its replay distribution.

From Jiang, Grefenstette and Rocktäschel (ICML 2021), "Prioritized Level Replay", section 3.
A replayed level is drawn from a mix of score and staleness prioritization::

    P(l_i) = (1 - staleness_coef) * P_S(l_i) + staleness_coef * P_C(l_i)
    P_S(l_i) = h(S_i) ** (1 / temperature) / sum_j h(S_j) ** (1 / temperature)
    P_C(l_i) = (c - C_i) / sum_j (c - C_j)

where ``h`` is ``1 / rank(S_i)`` (rank 1 = highest score; "rank") or the score itself
("power"), ``c`` counts the levels sampled so far and ``C_i`` is that count when level ``i`` was
last sampled. Staleness keeps old scores from going unrevisited while the policy changes.

The buffer holds up to ``capacity`` levels (task vectors); a new level enters while there is
room, or replaces the lowest-scoring level if it scores at least as high (Robust PLR's rule for
an unbounded level generator).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.task_space import task_key


def rank_weights(scores: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """``P_S`` with ``h = 1 / rank``; ties are ranked in buffer order, so the result is
    deterministic."""
    weights = np.empty(len(scores))
    weights[descending_order(scores)] = _weights_by_rank(len(scores), temperature)
    return weights / weights.sum()


def descending_order(scores: NDArray[np.float64]) -> NDArray[np.intp]:
    """``np.argsort(-scores, kind="stable")``: highest score first, ties (NaNs among them, last)
    in buffer order. Sorted by numpy's default sort, several times faster than its stable one
    on distinct scores, then the runs of equal scores are put back in buffer order."""
    negated = -scores
    order = np.argsort(negated)
    ranked = negated[order]
    tied = ranked[1:] == ranked[:-1]
    if len(ranked) and np.isnan(ranked[-1]):  # NaNs sort last: a run of ties of their own
        tied |= np.isnan(ranked[1:]) & np.isnan(ranked[:-1])
    if tied.any():
        run = np.concatenate(([0], np.cumsum(~tied)))  # run number of each rank
        in_run = np.concatenate(([False], tied)) | np.concatenate((tied, [False]))
        members = order[in_run]
        order[in_run] = members[np.lexsort((members, run[in_run]))]
    return order


@functools.lru_cache(maxsize=4)
def _weights_by_rank(n: int, temperature: float) -> NDArray[np.float64]:
    """``(1 / rank) ** (1 / temperature)`` for ranks 1 to ``n``, unnormalized (read-only)."""
    weights = (1.0 / np.arange(1, n + 1, dtype=np.float64)) ** (1.0 / temperature)
    weights.flags.writeable = False
    return weights


def power_weights(scores: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """``P_S`` with ``h(S) = S`` (negative and NaN scores count as 0; uniform if none is
    positive; infinite scores share all the mass)."""
    positive = np.where(scores > 0.0, scores, 0.0)
    top = float(positive.max())
    if not top > 0.0:
        return np.full(len(scores), 1.0 / len(scores))
    if math.isinf(top):
        positive, top = np.isinf(positive).astype(np.float64), 1.0
    weights = (positive / top) ** (1.0 / temperature)  # scaled: no overflow
    return weights / weights.sum()


TRANSFORMS: dict[str, Callable[[NDArray[np.float64], float], NDArray[np.float64]]] = {
    "rank": rank_weights,
    "power": power_weights,
}


def staleness_weights(
    last_sampled: NDArray[np.int64], now: int, sampled_sum: int | None = None
) -> NDArray[np.float64]:
    """``P_C``: proportional to the samples since each level was last sampled.

    ``sampled_sum``, ``last_sampled``'s sum if known, spares a pass over the buffer: the total
    staleness is then worked out in integers, the value the float sum gives while the clock is
    below ``2**53 / len(last_sampled)`` (every partial sum is then a whole float).
    """
    staleness = np.subtract(now, last_sampled, dtype=np.float64)  # exact below 2**53 samples
    n = len(staleness)
    total: float
    if sampled_sum is not None and n * abs(now) + abs(sampled_sum) < 2**53:
        total = n * now - sampled_sum
    else:
        total = float(staleness.sum())
    if total > 0:
        staleness /= total
        return staleness
    return np.full(n, 1.0 / n)


def _write_read_only(array: NDArray, index: int, value: float) -> None:
    """``array[index] = value`` for an array kept read-only against writes from outside."""
    array.flags.writeable = True
    array[index] = value
    array.flags.writeable = False


class LevelBuffer:
    """Up to ``capacity`` levels with their scores, last-sampled counts and return statistics.

    Arrays are ``capacity`` long (``levels``: ``capacity`` x ``n_dims``); the first ``len(self)``
    entries are in use. Levels are found by exact equality of their task values.
    """

    def __init__(self, capacity: int, n_dims: int) -> None:
        self.capacity = capacity
        self.levels = np.zeros((capacity, n_dims))
        self.scores = np.zeros(capacity)
        """Read-only: written through :meth:`set_score` and :meth:`add`, which keep track of
        its changes for the cached part of the replay distribution."""
        self.scores.flags.writeable = False
        self.last_sampled = np.zeros(capacity, dtype=np.int64)
        """Read-only: written through :meth:`mark_sampled` and :meth:`add`."""
        self.last_sampled.flags.writeable = False
        self._sampled_sum = 0  # of last_sampled over the stored levels
        self.best_return = np.full(capacity, -np.inf)
        self.return_mean = np.zeros(capacity)
        self.return_count = np.zeros(capacity, dtype=np.int64)
        self._slots: dict[bytes, int] = {}
        self._changes = 0  # writes to the scores so far
        # (1 - staleness_coef) * P_S, with the settings and the number of score writes it was
        # computed at: the scores change only when episodes are scored (once per rollout with
        # an RL student), replays happen at every other episode, and ranking is the dearest part
        self._by_score: tuple[tuple[str, float, float], int, NDArray[np.float64]] | None = None

    def __len__(self) -> int:
        return len(self._slots)

    @property
    def fill(self) -> float:
        """Fraction of the capacity in use."""
        return len(self) / self.capacity

    def find(self, task: ArrayLike) -> int | None:
        """Slot of ``task`` if it is in the buffer."""
        return self._slots.get(task_key(task))

    def add(self, task: ArrayLike, score: float, now: int) -> int | None:
        """Insert a level not yet in the buffer; returns its slot, or ``None`` if the buffer is
        full and ``score`` is below every stored score."""
        task = np.asarray(task, dtype=np.float64)
        if len(self) < self.capacity:
            slot = len(self)
        else:
            slot = int(np.argmin(self.scores))
            if score < self.scores[slot]:
                return None
            del self._slots[task_key(self.levels[slot])]
        self._slots[task_key(task)] = slot
        self.levels[slot] = task
        self.set_score(slot, score)
        self.mark_sampled(slot, now)
        self.best_return[slot] = -np.inf
        self.return_mean[slot] = self.return_count[slot] = 0
        return slot

    def mark_sampled(self, slot: int, now: int) -> None:
        """Record that the level in ``slot`` was sampled when the clock read ``now``."""
        self._sampled_sum += now - int(self.last_sampled[slot])
        _write_read_only(self.last_sampled, slot, now)

    def set_score(self, slot: int, score: float) -> None:
        _write_read_only(self.scores, slot, score)
        self._changes += 1

    def record_return(self, slot: int, episode_return: float) -> tuple[float, float]:
        """Add one return of the level in ``slot``; its best and mean return since it entered.

        In Python floats (the values numpy's scalars give, at a fraction of their cost: this
        runs once per episode).
        """
        best = max(float(self.best_return[slot]), episode_return)
        count = int(self.return_count[slot]) + 1
        mean = float(self.return_mean[slot])
        # A running mean: unlike a sum, it stays finite for returns near the float limit.
        mean += episode_return / count - mean / count
        self.best_return[slot], self.return_count[slot], self.return_mean[slot] = best, count, mean
        return best, mean

    def probabilities(
        self, now: int, transform: str, temperature: float, staleness_coef: float
    ) -> NDArray[np.float64]:
        """The replay distribution over the ``len(self)`` stored levels."""
        by_score = self._score_weights(transform, temperature, staleness_coef)
        mixed = staleness_weights(self.last_sampled[: len(self)], now, self._sampled_sum)
        mixed *= staleness_coef  # in place: the values of staleness_coef * P_C + by_score
        mixed += by_score
        return mixed

    def sample(
        self,
        rng: np.random.Generator,
        now: int,
        transform: str,
        temperature: float,
        staleness_coef: float,
    ) -> int:
        """The slot of a level drawn from :meth:`probabilities`: the draw, and the use of
        ``rng``, of ``rng.choice(len(self), p=...)``, without its checks of ``p`` (a sum and
        comparisons over the whole buffer), which a distribution built here passes."""
        cdf = np.cumsum(self.probabilities(now, transform, temperature, staleness_coef))
        last, uniform = cdf[-1], rng.random()
        # rng.choice returns the first slot whose cdf / last exceeds the uniform; cdf / last is
        # monotone, so it is found from a guess by dividing a few entries instead of all
        slot = int(cdf.searchsorted(uniform * last, side="right"))
        while slot > 0 and cdf[slot - 1] / last > uniform:
            slot -= 1
        while cdf[slot] / last <= uniform:  # ends: cdf[-1] / last == 1 > uniform
            slot += 1
        return slot

    def _score_weights(
        self, transform: str, temperature: float, staleness_coef: float
    ) -> NDArray[np.float64]:
        """``(1 - staleness_coef) * P_S`` of the stored levels, computed again only after a
        score or a setting changed."""
        settings = (transform, temperature, staleness_coef)
        if self._by_score is not None:
            cached_settings, changes, weights = self._by_score
            if changes == self._changes and cached_settings == settings:
                return weights
        scores = self.scores[: len(self)]
        weights = (1.0 - staleness_coef) * TRANSFORMS[transform](scores, temperature)
        weights.flags.writeable = False
        self._by_score = (settings, self._changes, weights)
        return weights
