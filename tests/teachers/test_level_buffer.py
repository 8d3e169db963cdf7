"""PLR's replay distribution and level buffer (teachers.level_buffer), checked by hand."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from aclbench.teachers.level_buffer import (
    TRANSFORMS,
    LevelBuffer,
    descending_order,
    power_weights,
    rank_weights,
    staleness_weights,
)


def test_rank_prioritization_by_hand() -> None:
    scores = np.array([0.5, 2.0, 1.0])  # ranks 3, 1, 2 -> h = 1/3, 1, 1/2
    np.testing.assert_allclose(rank_weights(scores, 1.0), [2 / 11, 6 / 11, 3 / 11])
    np.testing.assert_allclose(rank_weights(scores, 0.5), [4 / 49, 36 / 49, 9 / 49])
    np.testing.assert_allclose(rank_weights(np.array([1.0, 1.0]), 1.0), [2 / 3, 1 / 3])


def test_power_prioritization_by_hand() -> None:
    scores = np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(power_weights(scores, 1.0), [1 / 3, 2 / 3, 0.0])
    np.testing.assert_allclose(power_weights(scores, 0.5), [1 / 5, 4 / 5, 0.0])
    np.testing.assert_allclose(power_weights(np.zeros(4), 0.1), np.full(4, 0.25))
    assert np.isfinite(power_weights(np.array([1e3, 1.0]), 0.01)).all()


def test_power_prioritization_of_infinite_and_nan_scores() -> None:
    # Infinite scores share all the mass; NaN counts as 0 (it crashed rng.choice before).
    inf, nan = np.inf, np.nan
    np.testing.assert_array_equal(
        power_weights(np.array([inf, 1.0, nan, inf]), 0.1), [0.5, 0, 0, 0.5]
    )
    np.testing.assert_array_equal(power_weights(np.array([nan, 2.0]), 1.0), [0.0, 1.0])
    np.testing.assert_array_equal(power_weights(np.array([nan, nan]), 1.0), [0.5, 0.5])


def test_staleness_by_hand() -> None:
    last = np.array([1, 4, 6])
    np.testing.assert_allclose(staleness_weights(last, 10), [9 / 19, 6 / 19, 4 / 19])
    np.testing.assert_allclose(staleness_weights(np.array([3, 3]), 3), [0.5, 0.5])


def test_staleness_from_a_known_sum_is_the_float_sum_to_the_bit() -> None:
    rng = np.random.default_rng(2)
    for n in (1, 7, 300, 4000):
        last = rng.integers(0, 10**9, n)
        now = 10**9 + int(rng.integers(0, 10**6))
        by_sum = staleness_weights(last, now, int(last.sum()))
        assert by_sum.tobytes() == staleness_weights(last, now).tobytes()


def test_buffer_clock_and_scores_are_written_through_its_methods() -> None:
    buffer = LevelBuffer(capacity=3, n_dims=1)
    buffer.add([0.0], 1.0, now=2)
    buffer.mark_sampled(0, 9)
    buffer.set_score(0, 4.0)
    assert buffer.last_sampled[0] == 9 and buffer.scores[0] == 4.0
    for array in (buffer.last_sampled, buffer.scores):
        with pytest.raises(ValueError, match="read-only"):  # a write the buffer would not see
            array[0] = 1


def test_replay_distribution_mixes_score_and_staleness() -> None:
    buffer = LevelBuffer(capacity=5, n_dims=1)
    for value, score, now in ((0.0, 0.5, 1), (1.0, 2.0, 4), (2.0, 1.0, 6)):
        buffer.add([value], score, now)
    probs = buffer.probabilities(10, "rank", 1.0, 0.3)
    expected = 0.7 * np.array([2, 6, 3]) / 11 + 0.3 * np.array([9, 6, 4]) / 19
    np.testing.assert_allclose(probs, expected)
    assert probs.sum() == pytest.approx(1.0)


def test_full_buffer_replaces_its_lowest_score_only_with_a_higher_or_equal_one() -> None:
    buffer = LevelBuffer(capacity=2, n_dims=1)
    assert buffer.add([0.0], 1.0, now=1) == 0
    assert buffer.add([1.0], 3.0, now=2) == 1
    assert buffer.fill == 1.0
    assert buffer.add([2.0], 0.5, now=3) is None and buffer.find([2.0]) is None
    assert buffer.add([3.0], 2.0, now=4) == 0
    assert buffer.find([0.0]) is None and buffer.find([3.0]) == 0 and len(buffer) == 2
    assert buffer.add([4.0], 2.0, now=5) == 0  # a tie replaces too
    assert buffer.last_sampled[0] == 5 and buffer.best_return[0] == -np.inf


def test_return_statistics() -> None:
    buffer = LevelBuffer(capacity=2, n_dims=2)
    slot = buffer.add([0.0, 1.0], 0.0, now=0)
    for value in (0.2, 1.0, 0.0):
        buffer.record_return(slot, value)
    assert buffer.best_return[slot] == 1.0 and buffer.return_mean[slot] == pytest.approx(0.4)


def test_mean_return_stays_finite_near_the_float_limit() -> None:
    big = sys.float_info.max
    buffer = LevelBuffer(capacity=1, n_dims=1)
    slot = buffer.add([0.0], 0.0, now=0)
    buffer.record_return(slot, big)
    buffer.record_return(slot, big)  # the sum overflows, the mean is big
    assert buffer.return_mean[slot] == big
    buffer.record_return(slot, -big)
    assert buffer.return_mean[slot] == pytest.approx(big / 3)


def test_minus_zero_and_zero_are_the_same_level() -> None:
    # -0.0 == 0.0 as task values (validate accepts both), but their bytes differ: keyed by bytes,
    # feedback on [-0.0] made a second copy of level [0.0] in the buffer.
    buffer = LevelBuffer(4, 2)
    slot = buffer.add(np.array([0.0, 1.0]), 1.0, now=0)
    assert buffer.find(np.array([-0.0, 1.0])) == slot
    assert buffer.add(np.array([1.0, -0.0]), 1.0, now=0) == 1
    assert buffer.find([1.0, 0.0]) == 1 and len(buffer) == 2


@pytest.mark.parametrize("transform", ["rank", "power"])
def test_replay_distribution_follows_every_score_change(transform: str) -> None:
    # P_S is kept between replays while the scores stay as they are: any change of a score,
    # a level or a setting must give exactly what computing it afresh gives.
    rng = np.random.default_rng(0)
    buffer = LevelBuffer(capacity=40, n_dims=1)
    for value in range(30):
        buffer.add([float(value)], float(rng.random()), now=value)

    def fresh(temperature: float) -> np.ndarray:
        scores = buffer.scores[: len(buffer)].copy()
        by_score = TRANSFORMS[transform](scores, temperature)
        by_staleness = staleness_weights(buffer.last_sampled[: len(buffer)], 100)
        return 0.7 * by_score + 0.3 * by_staleness

    first = buffer.probabilities(100, transform, 0.1, 0.3)
    np.testing.assert_array_equal(first, fresh(0.1))
    with pytest.raises(ValueError, match="read-only"):  # a write the cache would miss
        buffer.scores[3] = 5.0
    buffer.set_score(3, 5.0)  # as PLR rescores a level
    moved = buffer.probabilities(100, transform, 0.1, 0.3)
    np.testing.assert_array_equal(moved, fresh(0.1))
    assert moved[3] > first[3]
    buffer.add([99.0], 7.0, now=100)
    np.testing.assert_array_equal(buffer.probabilities(100, transform, 0.1, 0.3), fresh(0.1))
    np.testing.assert_array_equal(buffer.probabilities(100, transform, 0.5, 0.3), fresh(0.5))


def test_descending_order_is_the_stable_argsort_of_the_negated_scores() -> None:
    rng = np.random.default_rng(0)
    nan, inf = np.nan, np.inf
    cases = [
        rng.random(500),
        rng.integers(0, 4, 300).astype(np.float64),  # long runs of ties
        np.where(rng.random(400) < 0.3, 0.0, rng.normal(size=400)),
        rng.choice(np.array([nan, inf, -inf, 0.0, -0.0, 1.0, 1e308]), 200),
        np.array([2.0]),
        np.zeros(7),
    ]
    for scores in cases:
        expected = np.argsort(-scores, kind="stable")
        np.testing.assert_array_equal(descending_order(scores), expected)


@pytest.mark.parametrize("transform", ["rank", "power"])
def test_sample_draws_what_rng_choice_draws_from_the_replay_distribution(transform: str) -> None:
    rng = np.random.default_rng(1)
    buffer = LevelBuffer(capacity=300, n_dims=2)
    for now in range(300):
        buffer.add(rng.random(2), float(rng.integers(0, 5)), now=int(rng.integers(0, now + 1)))
    drawn, reference = np.random.default_rng(7), np.random.default_rng(7)
    slots = []
    for now in range(300, 1300):
        if now % 5 == 0:
            buffer.set_score(int(rng.integers(300)), float(rng.random()))
        probs = buffer.probabilities(now, transform, 0.1, 0.3)
        slot = buffer.sample(drawn, now, transform, 0.1, 0.3)
        assert slot == int(reference.choice(len(probs), p=probs))
        buffer.mark_sampled(slot, now)
        slots.append(slot)
    assert len(set(slots)) > 100  # the draws cover the buffer, not one level
