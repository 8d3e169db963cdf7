"""aclbench.harness.runner: what a failed run leaves in its folder."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from aclbench.envs.toy import ToyEnv
from aclbench.harness.config import RunConfig
from aclbench.harness.runner import run
from aclbench.teachers.base import Capabilities
from aclbench.teachers.random_teacher import RandomTeacher


def test_a_failed_run_keeps_its_episodes_up_to_the_failure(tmp_path, monkeypatch):
    """The teacher fails at episode 1700, 700 steps after the last evaluation and checkpoint
    (toy episodes are one step): tasks.csv still holds the 1700 episodes played."""
    sample = RandomTeacher._sample_task

    def fail_at_1700(self):
        if self.episodes == 1700:
            raise RuntimeError("teacher bug at episode 1700")
        return sample(self)

    monkeypatch.setattr(RandomTeacher, "_sample_task", fail_at_1700)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=2000, eval_interval=1000)
    status = run(config, tmp_path)
    assert status["state"] == "failed" and "teacher bug at episode 1700" in status["error"]
    tasks = pd.read_csv(tmp_path / "tasks.csv")
    assert tasks["episode"].tolist() == list(range(1700))
    assert tasks["env_steps"].tolist() == list(range(1, 1701))
    assert pd.read_csv(tmp_path / "eval.csv")["env_steps"].tolist() == [0, 1000]


def test_a_return_the_teacher_refuses_is_recorded_before_the_run_fails(tmp_path, monkeypatch):
    """The toy env's episode 300 returns NaN: the teacher refuses it, the run fails naming it,
    and tasks.csv ends with that episode, so the user sees which task gave it."""
    step = ToyEnv.step
    played = {"episodes": 0}

    def nan_at_300(self, action):
        obs, reward, terminated, truncated, info = step(self, action)
        played["episodes"] += 1
        return obs, float("nan") if played["episodes"] == 300 else reward, True, truncated, info

    monkeypatch.setattr(ToyEnv, "step", nan_at_300)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=2000, eval_interval=1000)
    status = run(config, tmp_path)
    assert status["state"] == "failed" and "nan" in status["error"].lower()
    tasks = pd.read_csv(tmp_path / "tasks.csv")
    assert len(tasks) == 300 and np.isnan(tasks["return"].iloc[-1])
    assert np.isfinite(tasks["return"].iloc[:-1]).all()


def test_a_failed_run_that_succeeds_when_retried_keeps_no_stale_traceback(tmp_path, monkeypatch):
    sample = RandomTeacher._sample_task

    def fail_at_100(self):
        if self.episodes == 100:
            raise RuntimeError("teacher bug at episode 100")
        return sample(self)

    monkeypatch.setattr(RandomTeacher, "_sample_task", fail_at_100)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=300, eval_interval=100)
    assert run(config, tmp_path)["state"] == "failed"
    assert "teacher bug" in (tmp_path / "traceback.txt").read_text()
    monkeypatch.undo()  # the bug is fixed: --retry-failed runs it again
    assert run(config, tmp_path)["state"] == "done"
    assert not (tmp_path / "traceback.txt").exists()


@pytest.mark.parametrize(
    ("env", "student", "params", "on_gpu_if_any"),
    [
        ("cartpole", "ppo", {"n_envs": 1, "n_steps": 32, "batch_size": 32}, False),
        ("pendulum", "sac", {"learning_starts": 0, "batch_size": 8}, True),
        ("toy", "simulated", {}, False),
    ],
)
def test_status_json_records_the_device_the_student_trains_on(
    tmp_path, env, student, params, on_gpu_if_any
):
    """``auto``: SB3's advice, on-policy MLP students on the CPU, off-policy ones on a GPU where
    there is one; the simulated student has no network."""
    config = RunConfig(
        env, "random", student, seed=0, steps=32, eval_interval=32, student_params=params
    )
    assert run(config, tmp_path)["state"] == "done"
    status = json.loads((tmp_path / "status.json").read_text())
    gpu = torch.cuda.is_available() and on_gpu_if_any
    assert status["device"] == ("cuda" if gpu else "cpu")
    assert str(RunConfig.load(tmp_path / "config.toml").device) == "auto"


def test_the_final_model_files_appear_whole_or_not_at_all(tmp_path, monkeypatch):
    """A save that dies half way (killed, disk full) leaves no half-written file in the run
    folder: the student writes into a temporary folder whose files are then renamed in."""
    from aclbench.students.simulated import SimulatedStudent

    def half_save(self, directory):
        (directory / "competence.npy").write_bytes(b"\x93NUMPY half")
        raise OSError("No space left on device")

    monkeypatch.setattr(SimulatedStudent, "save", half_save)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=200, eval_interval=100)
    assert run(config, tmp_path)["state"] == "failed"
    assert not (tmp_path / "competence.npy").exists()
    monkeypatch.undo()
    assert run(config, tmp_path)["state"] == "done"
    assert np.load(tmp_path / "competence.npy").shape == (10, 10)  # the toy grid
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_run_killed_while_its_checkpoint_is_removed_is_already_done(tmp_path, monkeypatch):
    """The checkpoint is removed only once status.json says done: a kill in between (a large
    replay buffer takes a while to delete) must not leave a run with neither, which a rerun
    would train again from scratch."""
    import aclbench.harness.runner

    removals = []

    def killed_on_the_final_removal(run_dir):
        removals.append(run_dir)
        if len(removals) == 2:  # the first is at the start, before any checkpoint
            raise SystemExit("killed")

    monkeypatch.setattr(aclbench.harness.runner, "remove_checkpoints", killed_on_the_final_removal)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=200, eval_interval=100)
    with pytest.raises(SystemExit):
        run(config, tmp_path)
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["state"] == "done" and status["wall_s"] > 0


def test_status_json_records_the_steps_run_past_the_budget(tmp_path):
    """An on-policy student ends the rollout that crosses its budget: 40 steps with rollouts of
    32 run 64, and status.json says so."""
    params = {"n_envs": 1, "n_steps": 32, "batch_size": 32}
    config = RunConfig("cartpole", "random", "ppo", seed=0, steps=40, student_params=params)
    assert run(config, tmp_path)["state"] == "done"
    status = json.loads((tmp_path / "status.json").read_text())
    assert (status["env_steps"], status["overshoot_steps"]) == (64, 24)


def test_a_full_disk_fails_the_run_with_the_reason_and_keeps_the_rows_written(
    tmp_path, monkeypatch
):
    """``OSError(ENOSPC)`` at the 4th write of eval.csv: the run is marked failed with the
    reason, and eval.csv still holds, whole, the rows of the writes that succeeded."""
    import errno

    from aclbench.harness import results

    write_csv, writes = results.write_csv, []

    def filling_disk(path, frame):
        if path.name == "eval.csv":
            writes.append(len(frame))
            if len(writes) >= 4:  # and the disk stays full
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
        write_csv(path, frame)

    monkeypatch.setattr(results, "write_csv", filling_disk)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=400, eval_interval=20)
    status = run(config, tmp_path)
    assert status["state"] == "failed" and "No space left on device" in status["error"]
    assert json.loads((tmp_path / "status.json").read_text())["state"] == "failed"
    evals = pd.read_csv(tmp_path / "eval.csv")
    assert len(evals) == writes[2] > 0 and evals.notna().all().all()
    assert not list(tmp_path.glob(".*.tmp-*"))


@pytest.mark.parametrize("declared", [True, False])
def test_each_evaluation_goes_to_a_teacher_that_declares_evaluations_only(
    tmp_path, monkeypatch, declared
):
    seen = []

    def on_evaluation(self, test_tasks, returns):
        seen.append((self.episodes, test_tasks.copy(), returns.copy()))

    monkeypatch.setattr(RandomTeacher, "_on_evaluation", on_evaluation)
    if declared:
        monkeypatch.setattr(RandomTeacher, "capabilities", Capabilities(evaluations=True))
    config = RunConfig("toy", "random", "simulated", seed=0, steps=2000, eval_interval=1000)
    assert run(config, tmp_path)["state"] == "done"
    if not declared:
        assert seen == []
        return
    assert [episodes for episodes, _, _ in seen] == [0, 1000, 2000]
    tests = pd.read_csv(tmp_path / "test_tasks.csv")[["x0", "x1"]].to_numpy()
    per_task = pd.read_csv(tmp_path / "eval_tasks.csv")
    for episodes, tasks, returns in seen:
        np.testing.assert_array_equal(tasks, tests)
        recorded = per_task.loc[per_task["env_steps"] == episodes, "return"].to_numpy()
        np.testing.assert_array_equal(returns, recorded)
