"""Finding and labelling runs: identity from config.toml, nothing dropped silently."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.harness.config import RunConfig
from aclbench.harness.report import stats
from aclbench.harness.report.runs import load_results
from aclbench.harness.results import RunRecorder, provenance, write_status
from aclbench.task_space import TaskSpace


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


def test_reads_what_the_runners_recorder_writes(tmp_path):
    """Files from the runner's own writers (RunConfig, RunRecorder, write_status)."""
    space = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 2.0)})
    for seed, good in ((0, 1), (1, 3)):  # good of the 4 test tasks are mastered at the end
        run_dir = tmp_path / "demo" / "toy" / "random" / f"seed-{seed}"
        recorder = RunRecorder(run_dir, space, space.grid(2), mastered_threshold=0.5)
        config = RunConfig("toy", "random", "simulated", seed, steps=100, suite="demo")
        config.resolved().save(run_dir / "config.toml")
        write_status(run_dir, {"state": "running", **provenance("cpu")})
        for step in (0, 50, 100):
            recorder.add_episode(space.sample(np.random.default_rng(step)), 0.3, step)
            returns = np.array([1.0 if i < good * step / 100 else 0.0 for i in range(4)])
            recorder.add_evaluation(step, returns, {"regions": []})
        recorder.flush()  # as the runner does at a run's end (evaluations write at most every 10 s)
        write_status(run_dir, {"state": "done", "wall_s": 1.0, **provenance("cpu")})
    results = load_results([tmp_path])
    assert [(r.env, r.teacher, r.seed, r.state) for r in results.runs] == [
        ("toy", "random", 0, "done"),
        ("toy", "random", 1, "done"),
    ]
    assert stats.final_scores(results.runs, 100).tolist() == [25.0, 75.0]
    assert results.runs[0].task_space() == space
    assert results.runs[0].teacher_log()[-1] == {
        "env_steps": 100,
        "episodes": 3,
        "state": {"regions": []},
    }
    assert results.warnings == [] and results.missing == []


def test_provenance_names_the_processor_and_torch_kernels() -> None:
    import torch

    cpu = provenance("cpu")["cpu"]
    assert cpu.endswith(f", {torch.backends.cpu.get_cpu_capability()}") and len(cpu) > 8
