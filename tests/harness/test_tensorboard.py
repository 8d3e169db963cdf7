"""Per-run TensorBoard logs: SB3's metrics and aclbench's in the run's folder, read back with
TensorBoard's own reader; resumed runs without duplicate steps; the key's checks."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from aclbench.errors import ConfigError
from aclbench.harness import runner
from aclbench.harness.checks import check_config
from aclbench.harness.config import RunConfig, check_run_folder
from aclbench.harness.suite import Suite
from aclbench.harness.tensorboard import MAX_SERIES, teacher_scalars

PPO_SMALL = {"n_envs": 2, "n_steps": 64, "n_epochs": 1}


def scalars(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """Every scalar of the run's event files as TensorBoard shows it: tag -> (step, value)."""
    accumulator = EventAccumulator(str(run_dir))
    accumulator.Reload()
    return {
        tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()["scalars"]
    }


def toy_config(**changes) -> RunConfig:
    fields = {
        "env": "toy",
        "teacher": "alp-gmm",
        "student": "simulated",
        "seed": 0,
        "steps": 3000,
        "eval_interval": 300,
        "teacher_params": {"fit_rate": 100},
        "tensorboard": True,
    }
    return RunConfig(**{**fields, **changes})


def test_a_ppo_run_logs_sb3_metrics_and_its_evaluations(tmp_path):
    config = RunConfig(
        env="cartpole",
        teacher="random",
        student="ppo",
        seed=0,
        steps=512,
        eval_interval=256,
        student_params=PPO_SMALL,
        tensorboard=True,
    )
    assert runner.run(config, tmp_path)["state"] == "done"
    assert len(list(tmp_path.glob("events.out.tfevents.*"))) == 1
    logged = scalars(tmp_path)
    for tag in ("rollout/ep_rew_mean", "rollout/ep_len_mean", "train/loss", "time/fps"):
        assert tag in logged, tag  # SB3's own logger, Monitor's episodes
    evals = pd.read_csv(tmp_path / "eval.csv")
    for column in ("mastered_pct", "mean_return"):
        steps, values = zip(*logged[f"eval/{column}"])
        assert list(steps) == evals["env_steps"].tolist() == [0, 256, 512]
        np.testing.assert_allclose(values, evals[column], rtol=1e-6)
    # Monitor saw the episodes the teacher was fed: SB3's mean of the last 100 returns, at
    # each rollout's end, is that of the episodes tasks.csv records up to that step.
    episodes = pd.read_csv(tmp_path / "tasks.csv")
    for step, value in logged["rollout/ep_rew_mean"]:
        finished = episodes[episodes["env_steps"] <= step]["return"].tail(100)
        assert value == pytest.approx(finished.mean(), rel=1e-6)
    assert [step for step, _ in logged["rollout/ep_rew_mean"]] == list(range(128, 513, 128))


def test_the_teachers_numeric_state_is_logged_for_a_simulated_student(tmp_path):
    assert runner.run(toy_config(), tmp_path)["state"] == "done"
    logged = scalars(tmp_path)
    log = [json.loads(line) for line in (tmp_path / "teacher_log.jsonl").read_text().splitlines()]
    counts = [
        (e["env_steps"], len(e["state"]["gaussians"])) for e in log if e["state"]["gaussians"]
    ]
    assert counts and [(s, int(v)) for s, v in logged["teacher/gaussians/count"]] == counts
    best = {
        e["env_steps"]: max(g["alp"] for g in e["state"]["gaussians"])
        for e in log
        if e["state"]["gaussians"]
    }
    got = dict(logged["teacher/gaussians/alp_max"])
    assert got.keys() == best.keys()
    assert all(got[step] == pytest.approx(alp, rel=1e-6) for step, alp in best.items())
    assert "rollout/ep_rew_mean" not in logged  # no SB3 model, no training metrics


def test_a_resumed_run_logs_each_step_once(tmp_path, monkeypatch):
    """A run killed after its checkpoint at 900 env steps, having logged up to 1500, resumes
    from 900: TensorBoard drops the killed process's events after 900."""

    class Killed(BaseException):
        pass

    evaluate = runner.EvaluationSchedule.evaluate

    def evaluate_then_die(self):
        evaluate(self)
        if self.env_steps == 1500:
            raise Killed

    config = toy_config(checkpoint_interval=900)
    monkeypatch.setattr(runner.EvaluationSchedule, "evaluate", evaluate_then_die)
    with pytest.raises(Killed):
        runner.run(config, tmp_path)
    monkeypatch.setattr(runner.EvaluationSchedule, "evaluate", evaluate)
    status = runner.run(config, tmp_path)
    assert status["state"] == "done" and status["resumed_at_env_steps"] == 900
    assert len(list(tmp_path.glob("events.out.tfevents.*"))) == 2
    evals = pd.read_csv(tmp_path / "eval.csv")
    steps, values = zip(*scalars(tmp_path)["eval/mastered_pct"])
    assert list(steps) == evals["env_steps"].tolist() == list(range(0, 3001, 300))
    np.testing.assert_allclose(values, evals["mastered_pct"], rtol=1e-6)


def test_a_run_started_afresh_drops_an_earlier_log_and_none_is_written_when_off(tmp_path):
    assert runner.run(toy_config(steps=600), tmp_path)["state"] == "done"
    assert runner.run(toy_config(steps=600, seed=1, tensorboard=False), tmp_path)["state"] == "done"
    assert not list(tmp_path.glob("events.out.tfevents.*"))


def test_tensorboard_is_a_logging_key_not_another_run():
    on, off = toy_config(), toy_config(tensorboard=False)
    assert on.same_run(off) and not on.same_run(toy_config(seed=1))


def test_turning_tensorboard_on_keeps_a_run_folder(tmp_path):
    assert runner.run(toy_config(steps=600, tensorboard=False), tmp_path)["state"] == "done"
    check_run_folder(tmp_path, toy_config(steps=600))  # no error: the same run
    with pytest.raises(ConfigError, match="seed 0 -> 1"):
        check_run_folder(tmp_path, toy_config(steps=600, seed=1))


def test_a_missing_tensorboard_package_is_one_line_before_anything_runs(monkeypatch):
    find_spec = importlib.util.find_spec

    def without_tensorboard(name, *args):
        return None if name == "tensorboard" else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_tensorboard)
    with pytest.raises(ConfigError, match=r"pip install 'aclbench\[tensorboard\]'"):
        check_config(toy_config())
    check_config(toy_config(tensorboard=False))


def test_the_suite_key_turns_it_on_for_every_run_and_must_be_a_boolean():
    text = 'name = "s"\nenvs = ["toy"]\nteachers = ["random"]\nstudents = ["simulated"]\n'
    text += "seeds = [0, 1]\nsteps = 100\n"
    assert not any(run.config.tensorboard for run in Suite.parse(text).runs)
    assert all(run.config.tensorboard for run in Suite.parse(text + "tensorboard = true").runs)
    with pytest.raises(ConfigError, match="tensorboard must be a bool, got 1"):
        Suite.parse(text + "tensorboard = 1")


def test_teacher_scalars_keep_the_numeric_parts():
    state = {
        "replays": 7,
        "scored_by": "returns",
        "score_max": None,
        "loss": float("nan"),
        "box": {"low": [0.0, 1.5], "high": [2.0, 3.0]},
        "probabilities": [0.25, 0.75],
        "per_task": list(range(MAX_SERIES + 1)),
        "gaussians": [{"mean": [1.0], "alp": 0.5}, {"mean": [2.0], "alp": 0.1}],
        "covariance": [[1.0, 0.0], [0.0, 1.0]],
        "empty": [],
    }
    assert teacher_scalars(state) == {
        "teacher/replays": 7.0,
        "teacher/box/low/0": 0.0,
        "teacher/box/low/1": 1.5,
        "teacher/box/high/0": 2.0,
        "teacher/box/high/1": 3.0,
        "teacher/probabilities/0": 0.25,
        "teacher/probabilities/1": 0.75,
        "teacher/per_task/mean": MAX_SERIES / 2,
        "teacher/per_task/max": float(MAX_SERIES),
        "teacher/gaussians/count": 2.0,
        "teacher/gaussians/alp_mean": pytest.approx(0.3),
        "teacher/gaussians/alp_max": 0.5,
    }
