"""TeachMyAgent's challenge profile in the report (harness.report.challenges)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from aclbench.harness.report import build_report
from aclbench.harness.report.challenges import challenge_rows, ratio
from aclbench.harness.report.runs import load_results
from tests.harness.report.conftest import REPS, write_run

RANDOM = [10, 10, 20, 20, 40]  # mean 20
TEACHER = [20, 30, 40, 50, 60]  # mean 40


def write_challenge(root: Path, suite: str, finals: dict[str, list[float]], **config) -> None:
    for teacher, scores in finals.items():
        for seed, final in enumerate(scores):
            folder = root / suite / "toy" / teacher / f"seed-{seed}"
            write_run(
                folder, suite=suite, env="toy", teacher=teacher, seed=seed, final=final, **config
            )


def test_ratio_of_means_with_welch_and_an_interval_around_it(tmp_path: Path) -> None:
    write_challenge(tmp_path, "challenge-rugged", {"random": RANDOM, "alp-gmm": TEACHER})
    write_challenge(tmp_path, "demo", {"random": [50] * 5, "alp-gmm": [0] * 5})  # no challenge
    [row] = challenge_rows(load_results([tmp_path]), REPS, 0)
    assert (row.challenge, row.env, row.teacher, row.level) == ("rugged", "toy", "alp-gmm", None)
    assert row.score == 40.0 and row.reference_score == 20.0 and row.ratio.value == 2.0
    assert row.ratio.low < 2.0 < row.ratio.high and row.n == row.n_reference == 5
    # Welch's t by hand: difference 20, variances 250 and 120 over 5 seeds each
    t = 20 / math.sqrt(250 / 5 + 120 / 5)
    assert t == pytest.approx(2.3250, abs=1e-4) and 0.04 < row.p_value < 0.06
    assert row.significant == (row.p_value < 0.05)


def test_variants_of_a_challenge_are_averaged_seed_by_seed(tmp_path: Path) -> None:
    write_challenge(tmp_path, "challenge-variety-fast", {"random": [10] * 5, "sec": [30] * 5})
    write_challenge(
        tmp_path,
        "challenge-variety-noisy",
        {"random": [30, 30, 30, 30, 50], "sec": [10] * 5},
        env_kwargs={"noise": 0.1},
    )
    [row] = challenge_rows(load_results([tmp_path]), REPS, 0)
    assert row.challenge == "variety"
    assert row.score == 20.0 and row.reference_score == 22.0  # (10 + 34) / 2
    assert row.ratio.value == pytest.approx(20 / 22)


def test_a_reference_that_mastered_nothing() -> None:
    assert ratio(5.0, 0.0) == math.inf and ratio(0.0, 0.0) == 1.0 and ratio(3.0, 2.0) == 1.5


def test_the_report_draws_the_radar_for_challenge_runs_only(tmp_path: Path) -> None:
    write_challenge(tmp_path / "plain", "demo", {"random": RANDOM, "alp-gmm": TEACHER})
    assert challenge_rows(load_results([tmp_path / "plain"]), REPS, 0) == []  # no section
    root = tmp_path / "challenges"
    write_challenge(root, "challenge-unfeasible", {"random": RANDOM, "alp-gmm": TEACHER})
    write_challenge(
        root,
        "challenge-forgetting",
        {"random": [0] * 5, "alp-gmm": [10] * 5},
        student_params={"n_steps": 64, "reset_every": 100},
    )
    html = build_report([root], reps=REPS)
    text = (html.parent / "report.md").read_text()
    assert "## Challenge profile" in text and "inf (random: 0)" in text
    assert "| unfeasible | toy | - | alp-gmm | 40.0 | 20.0 |" in text
    assert (html.parent / "figures" / "challenge_radar.png").stat().st_size > 10_000
    labels = {run.env_label for run in load_results([root]).runs}
    # forgetting runs are an env of their own
    assert labels == {"toy[reset_every=-]", "toy[reset_every=100]"}
