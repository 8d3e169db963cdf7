"""``aclbench run`` end to end on the toy bench and a short CartPole run."""

import json
import os
import signal

import numpy as np
import pandas as pd
import pytest
from stable_baselines3 import A2C

from aclbench.harness.cli import main
from aclbench.registry import accepted_parameters
from aclbench.teachers.alp_gmm import AlpGmmTeacher
from aclbench.teachers.random_teacher import RandomTeacher
from aclbench.teachers.registry import CONSTRUCTOR_ARGS

TOY = ["run", "--env", "toy", "--teacher", "random", "--student", "simulated", "--steps", "3000"]


def test_toy_run_writes_the_documented_files(tmp_path, capsys):
    out = tmp_path / "run"
    assert main([*TOY, "--seed", "1", "--eval-interval", "1000", "--out", str(out)]) == 0
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "done" and status["wall_s"] > 0
    assert set(status["versions"]) >= {"aclbench", "stable_baselines3", "gymnasium", "torch"}
    evals = pd.read_csv(out / "eval.csv")
    assert list(evals.columns) == ["env_steps", "episodes", "wall_s", "mean_return", "mastered_pct"]
    assert evals["env_steps"].tolist() == [0, 1000, 2000, 3000]
    assert evals["mastered_pct"].iloc[0] == 0.0
    tasks = pd.read_csv(out / "tasks.csv")
    assert list(tasks.columns) == ["episode", "env_steps", "x0", "x1", "return"]
    assert len(tasks) == 3000 and tasks["env_steps"].tolist() == list(range(1, 3001))
    per_task = pd.read_csv(out / "eval_tasks.csv")
    assert len(per_task) == 4 * 100
    final = per_task[per_task["env_steps"] == 3000]
    assert final["mastered"].mean() * 100 == pytest.approx(evals["mastered_pct"].iloc[-1])
    assert len(pd.read_csv(out / "test_tasks.csv")) == 100
    assert len((out / "teacher_log.jsonl").read_text().splitlines()) == 4
    assert (out / "teacher_state.pkl").exists()
    student_params = json.loads((out / "student_params.json").read_text())
    assert student_params == {"reset_every": 0}  # simulated: its one parameter, never forgets
    assert json.loads((out / "teacher_params.json").read_text()) == {}  # random: none


def test_teacher_params_hold_every_parameter_with_its_preset_value(tmp_path):
    out = tmp_path / "run"
    args = ["--teacher", "alp-gmm", "-p", "teacher.preset=teachmyagent"]
    args += ["-p", "teacher.fit_rate=40"]
    assert main([*TOY, *args, "--steps", "100", "--out", str(out)]) == 0
    params = json.loads((out / "teacher_params.json").read_text())
    wanted = set(accepted_parameters(AlpGmmTeacher)) - set(CONSTRUCTOR_ARGS)
    assert set(params) == wanted
    preset = AlpGmmTeacher.presets["teachmyagent"]
    assert params["preset"] == "teachmyagent" and params["fit_rate"] == 40  # given
    assert params["n_bootstrap"] == 40  # default: fit_rate
    assert params["random_task_ratio"] == preset["random_task_ratio"]  # from the preset
    assert params["k_range"] == list(preset["k_range"])
    assert params["warm_start"] is preset["warm_start"]
    assert params["nn_buffer_size"] == 500 and params["criterion"] == "aic"  # defaults


def test_rerun_from_saved_config_gives_the_same_eval(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert main([*TOY, "--seed", "4", "--out", str(first)]) == 0
    assert main(["run", "--config", str(first / "config.toml"), "--out", str(second)]) == 0
    for name in ("eval.csv", "tasks.csv", "eval_tasks.csv"):
        a, b = pd.read_csv(first / name), pd.read_csv(second / name)
        pd.testing.assert_frame_equal(
            a.drop(columns="wall_s", errors="ignore"), b.drop(columns="wall_s", errors="ignore")
        )


def test_short_cartpole_ppo_run_is_reproducible(tmp_path):
    args = [
        "run",
        "--env",
        "cartpole",
        "--teacher",
        "random",
        "--student",
        "ppo",
        "--steps",
        "1024",
        "--eval-interval",
        "512",
        "-p",
        "student.n_envs=2",
        "-p",
        "student.n_steps=128",
        "-p",
        "student.batch_size=64",
        "-p",
        "student.n_epochs=2",
    ]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    a, b = (pd.read_csv(tmp_path / d / "eval.csv").drop(columns="wall_s") for d in "ab")
    pd.testing.assert_frame_equal(a, b)
    assert a["env_steps"].tolist() == [0, 512, 1024]
    tasks = pd.read_csv(tmp_path / "a" / "tasks.csv")
    assert np.isfinite(tasks["return"]).all() and len(tasks) > 10
    # the per-env defaults are recorded with the overrides, as plain data
    params = json.loads((tmp_path / "a" / "student_params.json").read_text())
    assert params["n_envs"] == 2 and params["n_steps"] == 128 and params["n_epochs"] == 2
    assert params["learning_rate"] == "lin_0.001" and params["gae_lambda"] == 0.8


def test_student_params_hold_every_hyperparameter_of_the_algorithm(tmp_path):
    args = ["run", "--env", "cartpole", "--teacher", "random", "--student", "a2c", "--steps", "64"]
    args += ["--eval-interval", "64", "-p", "student.n_envs=2", "-p", "student.n_steps=8"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    params = json.loads((tmp_path / "student_params.json").read_text())
    sb3 = set(accepted_parameters(A2C)) - {"env", "seed", "device", "_init_setup_model"}
    assert sb3 <= set(params) and {"n_envs", "vec_env", "torch_threads"} <= set(params)
    assert params["policy"] == "MlpPolicy" and params["n_envs"] == 2 and params["n_steps"] == 8
    assert params["gae_lambda"] == 1.0 and params["use_rms_prop"] is True  # SB3's defaults


@pytest.mark.parametrize(
    ("overrides", "extra", "message"),
    [
        ({"--teacher": "alp_gmn"}, [], "unknown teacher 'alp_gmn'"),
        ({"--env": "cartpol"}, [], "Did you mean 'cartpole'?"),
        ({}, ["-p", "teacher.fit_rate=3"], "teacher 'random' has no parameter 'fit_rate'"),
        ({}, ["-p", "fit_rate=3"], "expected SCOPE.KEY=VALUE"),
        ({"--steps": "0"}, [], "steps must be a positive number"),
        ({"--seed": "-1"}, [], "seed must be an integer >= 0, got -1"),
        ({}, ["-p", "env.nope=1"], "env 'toy' has no parameter 'nope'; accepted: n_dims,"),
        ({}, ["-p", "student.lr=1"], "student 'simulated' has no parameter 'lr'"),
        (
            {"--teacher": "alp-gmm"},
            ["-p", "teacher.fit_rate=-3"],
            "[teacher.alp-gmm] alp-gmm: fit_rate must be an integer >= 1, got -3",
        ),
        ({}, ["-p", "env.n_dims=0"], "[env.toy] kwargs: ValueError: toy: need n_dims >= 1"),
        ({"--device": "gpu"}, [], "device must be 'auto' or a torch device"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, capsys, overrides, extra, message):
    options = {"--env": "toy", "--teacher": "random", "--student": "simulated", "--steps": "30"}
    argv = ["run", *(x for item in {**options, **overrides}.items() for x in item), *extra]
    assert main([*argv, "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "r").exists()


def test_ctrl_c_stops_a_run_with_a_resume_hint_and_the_rerun_resumes(tmp_path, capsys, monkeypatch):
    """A real SIGINT, sent by the teacher to this process at episode 500: the run checkpoints
    and stops; the CLI says how to resume and points at no traceback.txt (there is none)."""
    sample = RandomTeacher._sample_task

    def interrupt_at_500(self):
        if self.episodes == 500:
            os.kill(os.getpid(), signal.SIGINT)
        return sample(self)

    monkeypatch.setattr(RandomTeacher, "_sample_task", interrupt_at_500)
    out = tmp_path / "r"
    assert main([*TOY, "--out", str(out)]) == 130
    printed = capsys.readouterr().out
    assert "aclbench: run interrupted: stopped by a signal at env step" in printed
    assert "rerun the same command to resume" in printed and "traceback.txt" not in printed
    assert not (out / "traceback.txt").exists()
    monkeypatch.undo()
    assert main([*TOY, "--out", str(out)]) == 0
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "done" and 500 < status["resumed_at_env_steps"] < 3000
    assert pd.read_csv(out / "tasks.csv")["episode"].tolist() == list(range(3000))


def test_list_shows_envs_with_their_task_dimensions(capsys):
    assert main(["list", "envs"]) == 0
    lines = capsys.readouterr().out.splitlines()
    cartpole = next(line for line in lines if line.startswith("cartpole"))
    assert "pole_length: [0.02, 0.5]" in cartpole
    assert main(["list", "teachers"]) == 0
    assert "random" in [line.split()[0] for line in capsys.readouterr().out.splitlines()]


def test_rerunning_a_finished_run_skips_it_as_the_readme_says(tmp_path, capsys):
    out = tmp_path / "r"
    assert main([*TOY, "--out", str(out)]) == 0
    before = (out / "status.json").read_text()
    assert main([*TOY, "--out", str(out)]) == 0
    assert (out / "status.json").read_text() == before  # not trained again
    assert "already done" in capsys.readouterr().out
    # another config in that folder would discard the finished run: refused, naming the change
    assert main([*TOY, "--seed", "1", "--out", str(out)]) == 2
    assert "holds a run of another config (seed 0 -> 1)" in capsys.readouterr().err
    assert (out / "status.json").read_text() == before


def test_list_students_describes_every_student(capsys):
    assert main(["list", "students"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert {line.split()[0] for line in lines} >= {"ppo", "a2c", "sac", "td3", "dqn", "simulated"}
    assert all(len(line.split()) > 1 for line in lines), lines


def test_a_new_eval_interval_for_a_saved_config_moves_its_checkpoints_too(tmp_path):
    """The saved config holds the resolved checkpoint_interval (= eval_interval by default);
    rerun with another --eval-interval, the run still checkpoints at each evaluation."""
    first = tmp_path / "a"
    assert main([*TOY, "--eval-interval", "1000", "--out", str(first)]) == 0
    again = tmp_path / "b"
    rerun = ["run", "--config", str(first / "config.toml"), "--eval-interval", "500"]
    assert main([*rerun, "--out", str(again)]) == 0
    saved = (again / "config.toml").read_text()
    assert "eval_interval = 500" in saved and "checkpoint_interval = 500" in saved


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="this machine has CUDA")
def test_device_cuda_without_cuda_is_refused_before_anything_is_written(tmp_path, capsys):
    argv = ["run", "--env", "cartpole", "--teacher", "random", "--student", "ppo"]
    assert main([*argv, "--steps", "100", "--device", "cuda", "--out", str(tmp_path / "r")]) == 2
    assert "device = 'cuda' but torch sees no CUDA device" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()
