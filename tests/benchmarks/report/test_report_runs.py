"""Finding and labelling runs: identity from config.toml, nothing dropped silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aclbench.errors import ConfigError
from benchmarks.report.runs import load_results


def test_finds_every_run_with_its_state(synthetic):
    results = load_results([synthetic.baseline])
    assert len(results.runs) == 23  # 22 listed in FINALS for the baseline + running + failed
    assert results.envs == ["cartpole", "toy"]
    assert results.teachers == ["random", "alp-gmm", "riac"]  # reference first
    assert results.reference == "random"
    states = {(r.env_label, r.teacher_label, r.seed): r.state for r in results.runs}
    assert states[("cartpole", "alp-gmm", 3)] == "running"
    assert states[("cartpole", "riac", 3)] == "failed"
    assert sum(r.usable for r in results.runs) == 21


def test_seeds_that_the_rest_of_the_suite_ran_are_missing(synthetic):
    results = load_results([synthetic.baseline])
    missing = [(m.env_label, m.teacher_label, m.seed) for m in results.missing]
    assert missing == [("toy", "riac", 3)]


def test_identity_comes_from_config_not_path(synthetic, tmp_path):
    shutil.copytree(synthetic.baseline / "demo" / "toy" / "random" / "seed-0", tmp_path / "x")
    results = load_results([tmp_path])
    assert [(r.env, r.teacher, r.seed, r.suite) for r in results.runs] == [
        ("toy", "random", 0, "demo")
    ]


def test_comparison_warns_where_budgets_and_test_sets_differ(synthetic):
    results = load_results([synthetic.baseline, synthetic.mine])
    assert results.teachers == ["random", "alp-gmm", "riac", "my-teacher"]
    budgets = [w for w in results.warnings if "budgets" in w]
    tests = [w for w in results.warnings if "test sets" in w]
    assert len(budgets) == 1 and budgets[0].startswith("cartpole:")
    assert "800: my-teacher" in budgets[0] and "1000: " in budgets[0]
    assert len(tests) == 1 and tests[0].startswith("cartpole:")
    assert not any(w.startswith("toy:") for w in results.warnings)


def test_variants_of_a_teacher_or_env_are_never_pooled(tmp_path, run_writer):
    def run(root, teacher, seed, **config):
        folder = root / f"{teacher}-{seed}-{len(list(root.glob('*'))) if root.exists() else 0}"
        run_writer(folder, suite="s", env="toy", teacher=teacher, seed=seed, final=50, **config)

    a, b = tmp_path / "a", tmp_path / "b"
    run(a, "alp-gmm", 0, teacher_params={"fit_rate": 150})
    run(a, "alp-gmm", 0, teacher_params={"fit_rate": 250})
    run(a, "random", 0, student="ppo")
    run(a, "random", 0, student="sac")
    run(b, "random", 0, student="ppo")
    results = load_results([a, b])
    labels = sorted({(r.env_label, r.teacher_label) for r in results.runs})
    assert labels == [
        ("toy@ppo", "alp-gmm[fit_rate=150]"),
        ("toy@ppo", "alp-gmm[fit_rate=250]"),
        ("toy@ppo", "random (a)"),
        ("toy@ppo", "random (b)"),
        ("toy@sac", "random"),
    ]
    assert results.reference == "random"


def test_unreadable_configs_are_listed_not_fatal(synthetic, tmp_path):
    shutil.copytree(synthetic.baseline / "demo" / "toy" / "random" / "seed-0", tmp_path / "ok")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "config.toml").write_text("env = ")
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "config.toml").write_text('env = "toy"\n')
    results = load_results([tmp_path])
    assert len(results.runs) == 1
    unreadable = {path.name: error for path, error in results.unreadable}
    assert set(unreadable) == {"broken", "partial"}
    assert "lacks suite, teacher, seed, steps" in unreadable["partial"]


def test_a_run_without_status_is_pending_and_one_without_evaluations_is_flagged(
    synthetic, tmp_path
):
    source = synthetic.baseline / "demo" / "toy" / "random" / "seed-0"
    shutil.copytree(source, tmp_path / "pending")
    (tmp_path / "pending" / "status.json").unlink()
    shutil.copytree(source, tmp_path / "empty")
    (tmp_path / "empty" / "eval.csv").unlink()
    results = load_results([tmp_path])
    by_name = {r.path.name: r for r in results.runs}
    assert by_name["pending"].state == "pending" and not by_name["pending"].usable
    assert by_name["empty"].state == "done" and not by_name["empty"].usable
    assert by_name["empty"].problems == ["finished without any evaluation in eval.csv"]


def test_bad_folders_raise_clear_errors(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_results([tmp_path / "nowhere"])
    with pytest.raises(ConfigError, match="no runs found below"):
        load_results([tmp_path])
    with pytest.raises(ConfigError, match="no results folder given"):
        load_results([])
