"""The report's numbers against direct computation: hand-computed means, IQMs, Welch p-values
and probabilities of improvement, and intervals from rliable called directly with the same seed.
Finals of the synthetic folder are listed in conftest.FINALS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from rliable import library as rly
from rliable import metrics

from aclbench.harness.report import stats
from aclbench.harness.report.runs import Run, load_results

REPS = 200  # as the synthetic fixture's reps, checked below


def rliable_interval(scores: np.ndarray, func, seed: int = 0) -> tuple[float, float]:
    """The interval rliable gives when called directly, seeded as the report seeds it."""
    np.random.seed(seed)
    _, ci = rly.get_interval_estimates({"x": scores}, func, reps=REPS)
    low, high = np.ravel(ci["x"])
    return float(low), float(high)


@pytest.fixture(scope="module")
def baseline(synthetic):
    assert synthetic.reps == REPS
    results = load_results([synthetic.baseline])
    return results, stats.final_table(results, "iqm", REPS, seed=0)


def row_of(rows, env, teacher):
    return next(r for r in rows if r.env == env and r.teacher == teacher)


def test_final_scores_are_the_last_evaluations_of_finished_seeds_only(baseline, synthetic):
    _, rows = baseline
    for (env, teacher), finals in synthetic.finals.items():
        if teacher != "my-teacher":
            assert row_of(rows, env, teacher).scores.tolist() == finals


def test_means_and_iqms_by_hand(baseline):
    _, rows = baseline
    toy_random = row_of(rows, "toy", "random")  # 10 20 30 60
    assert toy_random.mean.value == pytest.approx(30.0)
    assert toy_random.iqm.value == pytest.approx(25.0)  # middle two: (20 + 30) / 2
    toy_alp = row_of(rows, "toy", "alp-gmm")  # 40 50 60 90
    assert (toy_alp.mean.value, toy_alp.iqm.value) == pytest.approx((60.0, 55.0))
    for row in rows:
        assert row.mean.value == pytest.approx(np.mean(row.scores))
        assert row.iqm.value == pytest.approx(scipy.stats.trim_mean(row.scores, 0.25))


def test_intervals_are_rliables(baseline):
    _, rows = baseline
    for row in rows:
        scores = row.scores[:, None]
        mean_ci = rliable_interval(scores, metrics.aggregate_mean)
        iqm_ci = rliable_interval(scores, metrics.aggregate_iqm)
        assert (row.mean.low, row.mean.high) == pytest.approx(mean_ci)
        assert (row.iqm.low, row.iqm.high) == pytest.approx(iqm_ci)
        assert row.scores.min() <= row.mean.low <= row.mean.value <= row.mean.high
        assert row.mean.high <= row.scores.max()


def test_welch_p_values(baseline, synthetic):
    _, rows = baseline
    # By hand: both sides have variance 1400/3 over 4 seeds, so t = 30 / sqrt(2 * 1400 / 12)
    # = 1.964 with 6 degrees of freedom: two-sided p = 0.0972.
    assert row_of(rows, "toy", "alp-gmm").p_value == pytest.approx(0.0972, abs=5e-4)
    for row in rows:
        if row.teacher == "random":
            assert row.p_value is None
            continue
        reference = np.array(synthetic.finals[(row.env, "random")], dtype=float)
        expected = scipy.stats.ttest_ind(row.scores, reference, equal_var=False).pvalue
        assert row.p_value == pytest.approx(expected)


def test_seed_counts_include_failed_running_and_missing_runs(baseline):
    _, rows = baseline
    counts = {(r.env, r.teacher): (len(r.scores), r.n_total) for r in rows}
    assert counts[("toy", "riac")] == (3, 4)  # seed 3 missing
    assert counts[("cartpole", "alp-gmm")] == (3, 4)  # seed 3 running
    assert counts[("cartpole", "riac")] == (3, 4)  # seed 3 failed
    assert counts[("toy", "random")] == (4, 4)


def test_best_per_env(baseline):
    _, rows = baseline
    assert {(r.env, r.teacher) for r in rows if r.best} == {
        ("toy", "alp-gmm"),
        ("cartpole", "alp-gmm"),
    }


def test_ratio_to_random(baseline):
    results, rows = baseline
    ratios = stats.ratio_to_reference(rows, results.reference)
    assert ratios["toy"]["alp-gmm"] == pytest.approx(60 / 30)
    assert ratios["cartpole"]["riac"] == pytest.approx((130 / 3) / 42.5)
    assert "random" not in ratios["toy"]


def test_aggregates_by_hand_and_from_rliable(baseline):
    results, rows = baseline
    agg = stats.aggregates(results, rows, REPS, seed=0)
    assert agg.envs == ["cartpole", "toy"]
    # random: cartpole 30 40 50 50, toy 10 20 30 60
    random = agg.estimates["random"]
    assert random["IQM"].value == pytest.approx(37.5)  # middle four of 8: 30 30 40 50
    assert random["Mean"].value == pytest.approx(36.25)
    assert random["Optimality gap"].value == pytest.approx(63.75)
    # alp-gmm has 4 seeds on toy but 3 on cartpole: the first 3 of each, and a note says so
    assert agg.scores["alp-gmm"].tolist() == [[60, 40], [70, 50], [80, 60]]
    assert any("alp-gmm" in note and "first 3 seeds" in note for note in agg.notes)
    for teacher, scores in agg.scores.items():
        for name, func in (
            ("IQM", metrics.aggregate_iqm),
            ("Mean", metrics.aggregate_mean),
            ("Optimality gap", lambda s: metrics.aggregate_optimality_gap(s, 100.0)),
        ):
            est = agg.estimates[teacher][name]
            assert est.value == pytest.approx(func(scores))
            assert (est.low, est.high) == pytest.approx(rliable_interval(scores, func))


def test_probability_of_improvement(baseline):
    results, rows = baseline
    agg = stats.aggregates(results, rows, REPS, seed=0)
    # cartpole: 60 70 80 beat all of 30 40 50 50 -> 1; toy: 40 50 60 against 10 20 30 60:
    # 9 wins and one tie of 12 pairs -> 9.5 / 12. Mean over the two envs:
    assert agg.improvement["alp-gmm"].value == pytest.approx((1 + 9.5 / 12) / 2)
    assert "random" not in agg.improvement
    x, y = agg.scores["riac"], agg.scores["random"]
    assert agg.improvement["riac"].value == pytest.approx(metrics.probability_of_improvement(x, y))
    np.random.seed(0)
    _, ci = rly.get_interval_estimates({"x": [x, y]}, metrics.probability_of_improvement, reps=REPS)
    est = agg.improvement["riac"]
    assert (est.low, est.high) == pytest.approx(tuple(np.ravel(ci["x"])))


def test_performance_profile(baseline):
    results, rows = baseline
    agg = stats.aggregates(results, rows, REPS, seed=0)
    profile = agg.profiles["random"]  # scores 30 40 50 50 10 20 30 60
    at = dict(zip(profile.steps.tolist(), profile.value.tolist()))
    assert at[0.0] == 1.0
    assert at[30.0] == pytest.approx(4 / 8)  # 40 50 50 60
    assert at[50.0] == pytest.approx(1 / 8)
    assert at[60.0] == 0.0
    assert np.all(profile.low <= profile.value) and np.all(profile.value <= profile.high)


def test_fast_metrics_equal_rliables():
    rng = np.random.default_rng(0)
    taus = np.linspace(0, 4, 9)
    for _ in range(50):
        x = rng.integers(0, 5, (rng.integers(1, 6), 3)).astype(float)
        y = rng.integers(0, 5, (rng.integers(1, 6), 3)).astype(float)
        expected = metrics.probability_of_improvement(x, y)
        assert stats.improvement_probability(x, y) == pytest.approx(expected)
        assert stats.score_distribution(x, taus) == pytest.approx(rly.score_distributions(x, taus))


def test_learning_curve_points_and_bands(baseline):
    results, _ = baseline
    runs = [r for r in results.group("toy", "random") if r.usable]
    columns = ("mastered_pct", "mean_return")
    curves = stats.learning_curves(runs, columns, "iqm", REPS, seed=0)
    curve = curves["mastered_pct"]
    # seed 1 was evaluated at 0/300/600/1000, the others every 250 steps: union of steps
    assert curve.steps.tolist() == [0, 250, 300, 500, 600, 750, 1000]
    # every curve is final * step / 1000, so the IQM is IQM(finals) * step / 1000 = 25 * ...
    assert curve.value == pytest.approx(25 * curve.steps / 1000)
    assert curves["mean_return"].value == pytest.approx(2 * 25 * curve.steps / 1000)
    mean = stats.learning_curves(runs, columns, "mean", REPS, seed=0)["mastered_pct"]
    assert mean.value == pytest.approx(30 * curve.steps / 1000)
    # the bands are rliable's: its IQM at each step, both columns as the bootstrap's tasks
    scores = np.stack([stats.align(runs, c)[1] for c in columns], axis=1)
    np.random.seed(0)
    _, ci = rly.get_interval_estimates(
        {"x": scores},
        lambda s: np.array(
            [metrics.aggregate_iqm(s[:, [t], j]) for t in range(2) for j in range(s.shape[-1])]
        ),
        reps=REPS,
    )
    low, high = (np.reshape(a, (2, -1)) for a in ci["x"])
    assert curve.low == pytest.approx(low[0]) and curve.high == pytest.approx(high[0])
    assert curves["mean_return"].low == pytest.approx(low[1])


def test_iqm_equals_rliables():
    rng = np.random.default_rng(1)
    for n_runs in range(1, 9):
        scores = rng.normal(size=(n_runs, 3))
        assert stats.iqm(scores) == pytest.approx(metrics.aggregate_iqm(scores))
        by_task = [metrics.aggregate_iqm(scores[:, [t]]) for t in range(3)]
        assert stats.iqm(scores, axis=0) == pytest.approx(by_task)
    assert stats.iqm(np.array([10.0, 20.0, 30.0, 60.0])) == 25.0


def fake_run(steps: list[float], values: list[float]) -> Run:
    evals = pd.DataFrame({"env_steps": steps, "mastered_pct": values, "mean_return": values})
    return Run(Path("."), Path("."), {}, {"state": "done"}, evals)


def test_align_interpolates_within_the_common_range_only():
    a = fake_run([0, 10, 20], [0, 10, 20])
    b = fake_run([0, 5, 15, 25], [0, 50, 150, 250])
    steps, values = stats.align([a, b], "mastered_pct")
    assert steps.tolist() == [0, 5, 10, 15, 20]  # 25 is past a's last evaluation
    assert values.tolist() == [[0, 5, 10, 15, 20], [0, 50, 100, 150, 200]]


def test_welch_is_nan_where_undefined():
    assert np.isnan(stats.welch(np.array([1.0]), np.array([1.0, 2.0])))
    assert np.isnan(stats.welch(np.array([1.0, 2.0]), None))


def test_bootstrap_leaves_numpys_global_generator_as_it_was():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    stats.intervals(np.arange(6.0).reshape(3, 2), metrics.aggregate_mean, reps=10, seed=0)
    assert np.random.random() == expected


def test_comparison_reads_every_teacher_at_the_smallest_budget(synthetic):
    results = load_results([synthetic.baseline, synthetic.mine])
    rows = stats.final_table(results, "iqm", REPS, seed=0)
    assert stats.final_step(results, "cartpole") == 800  # my-teacher's budget
    assert row_of(rows, "cartpole", "random").scores.tolist() == pytest.approx([24, 32, 40, 40])
    assert row_of(rows, "cartpole", "my-teacher").scores.tolist() == [70, 80, 90]
    assert stats.final_step(results, "toy") == 1000
