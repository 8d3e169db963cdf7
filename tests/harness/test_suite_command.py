"""``aclbench suite``: parallel runs, isolation of a failing run, reruns, Ray."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from aclbench.harness.cli import main

SUITE = """
name = "small"
envs = ["toy"]
teachers = ["random"]
students = ["simulated"]
seeds = [0, 1]
steps = 600
eval_interval = 200
"""


def write_suite(tmp_path, text=SUITE):
    path = tmp_path / "small.toml"
    path.write_text(text)
    return path


def eval_frames(root):
    return {
        path.parent.relative_to(root): pd.read_csv(path).drop(columns="wall_s")
        for path in sorted(root.glob("**/eval.csv"))
    }


def test_suite_runs_every_run_and_a_rerun_skips_finished_ones(tmp_path, capsys):
    suite = write_suite(tmp_path)
    out = tmp_path / "out"
    assert main(["suite", str(suite), "--workers", "2", "--out", str(out)]) == 0
    runs = eval_frames(out)
    assert set(map(str, runs)) == {"small/toy/random/seed-0", "small/toy/random/seed-1"}
    assert (out / "small" / "suite.toml").read_text() == SUITE
    capsys.readouterr()
    assert main(["suite", str(suite), "--workers", "2", "--out", str(out)]) == 0
    assert "to run: 0; skipped: 2 done" in capsys.readouterr().out


def test_a_failing_run_is_recorded_and_the_others_finish(tmp_path, capsys):
    broken = SUITE.replace('envs = ["toy"]', 'envs = ["toy", "cartpole"]') + (
        '[env.cartpole]\nstudents = ["ppo"]\nseeds = [0]\n[student.ppo]\nlearning_rate = -1.0\n'
    )  # SB3 values are checked when the run builds its student
    suite = write_suite(tmp_path, broken)
    out = tmp_path / "out"
    assert main(["suite", str(suite), "--workers", "2", "--out", str(out)]) == 1
    failed = out / "small/cartpole/random/seed-0"
    status = json.loads((failed / "status.json").read_text())
    assert status["state"] == "failed" and "Invalid learning rate: -1.0" in status["error"]
    assert "Traceback" in (failed / "traceback.txt").read_text()
    printed = capsys.readouterr().out
    assert "2 done, 1 failed" in printed and "--retry-failed" in printed
    assert len(eval_frames(out)) == 2


def test_retry_failed_reruns_only_failed_runs(tmp_path, capsys):
    suite = write_suite(tmp_path)
    out = tmp_path / "out"
    assert main(["suite", str(suite), "--workers", "2", "--out", str(out)]) == 0
    status_file = out / "small/toy/random/seed-1/status.json"
    status = json.loads(status_file.read_text())
    status_file.write_text(json.dumps({**status, "state": "failed", "error": "simulated"}))
    before = (out / "small/toy/random/seed-0/status.json").read_text()
    capsys.readouterr()
    assert main(["suite", str(suite), "--out", str(out), "--retry-failed"]) == 0
    assert "to run: 1" in capsys.readouterr().out
    assert json.loads(status_file.read_text())["state"] == "done"
    assert (out / "small/toy/random/seed-0/status.json").read_text() == before


def test_changed_suite_does_not_overwrite_other_results(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["suite", str(write_suite(tmp_path)), "--out", str(out)]) == 0
    changed = write_suite(tmp_path, SUITE.replace("steps = 600", "steps = 800"))
    assert main(["suite", str(changed), "--out", str(out)]) == 2
    assert "holds a run of another config (steps 600 -> 800" in capsys.readouterr().err
    assert (out / "small" / "suite.toml").read_text() == SUITE  # the suite the runs were from


def test_a_bad_teacher_value_fails_the_suite_before_anything_is_written(tmp_path, capsys):
    bad = SUITE.replace('"random"', '"random", "alp-gmm"') + "[teacher.alp-gmm]\nfit_rate = -3\n"
    out = tmp_path / "out"
    assert main(["suite", str(write_suite(tmp_path, bad)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "[teacher.alp-gmm] alp-gmm: fit_rate must be an integer >= 1, got -3" in err
    assert err.count("\n") == 1 and not out.exists()


def test_workers_must_be_a_positive_integer(capsys):
    with pytest.raises(SystemExit) as exit:
        main(["suite", "small.toml", "--workers", "-1"])
    assert exit.value.code == 2
    assert "--workers: expected an integer >= 1, got '-1'" in capsys.readouterr().err


def _default_signals() -> None:
    """A terminal's foreground job starts with the default Ctrl-C and SIGTERM handling; a child
    inherits ignored signals, so the suite gets the defaults back before it starts."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("stop", "status"),
    [
        (lambda pid: os.killpg(pid, signal.SIGINT), 130),  # Ctrl-C: the terminal's whole group
        (lambda pid: os.kill(pid, signal.SIGTERM), 143),  # `timeout`, `kill`: the suite alone
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_stop_signal_stops_the_suite_and_says_how_to_resume(tmp_path, stop, status):
    """Ctrl-C, or SIGTERM to the suite's process alone: the running run checkpoints and stops
    (it does not run on to its end), the queued runs never start, and the summary counts them
    apart from failures."""
    long = SUITE.replace("[0, 1]", "[0, 1, 2]").replace("600", "2_000_000")
    suite = write_suite(tmp_path, long.replace("eval_interval = 200", "eval_interval = 1_000_000"))
    out = tmp_path / "out"
    command = [sys.executable, "-m", "aclbench.harness.cli", "suite", str(suite), "--workers", "1"]
    process = subprocess.Popen(
        [*command, "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        start_new_session=True,  # its own process group, as a terminal's foreground job
        preexec_fn=_default_signals,  # whatever an earlier test left in this process
    )
    first = out / "small/toy/random/seed-0"
    try:
        deadline = time.monotonic() + 60
        while not (first / "eval.csv").exists():  # evaluated at step 0: training has begun
            assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
            time.sleep(0.05)
        stop(process.pid)
        printed, errors = process.communicate(timeout=120)  # a bound, not a speed goal
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == status, printed + errors
    assert json.loads((first / "status.json").read_text())["state"] == "interrupted"
    assert (first / "checkpoint").is_dir()
    assert not (out / "small/toy/random/seed-1").exists()
    assert "finished: 0 done, 0 failed, 3 interrupted or not started" in printed
    assert f"resume the interrupted runs: aclbench suite {suite} --out {out}" in printed
    assert "--retry-failed" not in printed and "Traceback" not in errors


def test_ray_executor_gives_the_same_results_as_local_processes(tmp_path):
    pytest.importorskip("ray")
    suite = write_suite(tmp_path)
    assert main(["suite", str(suite), "--workers", "2", "--out", str(tmp_path / "local")]) == 0
    assert main(["suite", str(suite), "--executor", "ray", "--out", str(tmp_path / "ray")]) == 0
    local, ray = eval_frames(tmp_path / "local"), eval_frames(tmp_path / "ray")
    assert local.keys() == ray.keys()
    for key in local:
        pd.testing.assert_frame_equal(local[key], ray[key])


def test_a_run_whose_worker_is_killed_stops_alone_and_the_suite_goes_on(tmp_path, capsys):
    """The kernel kills one run's process (out of memory): that run is interrupted (a rerun
    resumes it from its checkpoint), the runs queued after it still run, and the suite ends
    with its summary, not a BrokenProcessPool traceback."""
    text = SUITE.replace('["random"]', '["tests.harness.dying_teacher:DyingTeacher"]')
    suite = write_suite(tmp_path, text.replace("eval_interval = 200", "eval_interval = 20"))
    out = tmp_path / "out"
    assert main(["suite", str(suite), "--workers", "1", "--out", str(out)]) == 1
    runs = out / "small/toy/tests.harness.dying_teacher:DyingTeacher"
    states = {p.name: json.loads((p / "status.json").read_text()) for p in runs.iterdir()}
    assert states["seed-0"]["state"] == "interrupted"
    assert "worker died" in states["seed-0"]["error"]
    assert states["seed-1"]["state"] == "done"  # queued behind the killed run
    printed = capsys.readouterr().out
    assert "1 done, 0 failed, 1 interrupted or not started" in printed
    assert f"resume the interrupted runs: aclbench suite {suite} --out {out}" in printed
    # the rerun resumes seed 0 from its checkpoint at episode 40, where it dies again (this
    # teacher dies at its 50th task whenever it gets there): no episode is played twice
    main(["suite", str(suite), "--workers", "1", "--out", str(out)])
    assert json.loads((runs / "seed-0/status.json").read_text())["resumed_at_env_steps"] == 40


def test_a_run_lost_with_its_pool_before_it_started_is_recorded(tmp_path):
    """A broken pool also stops the runs handed to it that no worker had started yet: their
    folder does not exist, and their state must still be written there."""
    from concurrent.futures.process import BrokenProcessPool

    from aclbench.harness.executors import _Tally
    from aclbench.harness.suite import Suite

    planned = Suite.parse(SUITE).runs[0]
    tally = _Tally(1, tmp_path)
    tally.finished(planned, None, BrokenProcessPool("a child process terminated abruptly"))
    status = json.loads((tmp_path / planned.path / "status.json").read_text())
    assert status["state"] == "interrupted"
    assert "worker died: BrokenProcessPool" in status["error"]
    assert tally.close()[planned.path] == status


def test_local_workers_spread_over_the_visible_gpus_one_each(tmp_path, monkeypatch):
    """CUDA_VISIBLE_DEVICES "0,1" (faked: no GPU is touched by the toy runs): each worker sees
    one GPU, round-robin, and each run records the one its worker saw."""
    from multiprocessing import Value

    from aclbench.harness.executors import _init_pool_worker

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3,5")
    started = Value("i", 0)
    seen = []
    handler = signal.getsignal(signal.SIGINT)
    try:
        for _ in range(3):
            _init_pool_worker(["3", "5"], started)
            seen.append(os.environ["CUDA_VISIBLE_DEVICES"])
    finally:
        signal.signal(signal.SIGINT, handler)  # the initializer makes a worker ignore Ctrl-C
    assert seen == ["3", "5", "3"]

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0,1")
    out = tmp_path / "out"
    assert main(["suite", str(write_suite(tmp_path)), "--workers", "2", "--out", str(out)]) == 0
    statuses = [json.loads(p.read_text()) for p in out.glob("**/status.json")]
    assert len(statuses) == 2
    assert {status["cuda_visible_devices"] for status in statuses} <= {"0", "1"}


def test_a_run_is_tested_on_the_test_set_of_its_test_kwargs(tmp_path):
    text = SUITE.replace("seeds = [0, 1]", "seeds = [0]") + (
        "[env.toy]\nkwargs = { cells_per_dim = 10 }\ntest_kwargs = { cells_per_dim = 5 }\n"
    )
    assert main(["suite", str(write_suite(tmp_path, text)), "--out", str(tmp_path / "out")]) == 0
    run = tmp_path / "out" / "small" / "toy" / "random" / "seed-0"
    assert len(pd.read_csv(run / "test_tasks.csv")) == 25  # 5 x 5 centres, not 10 x 10
    assert json.loads((run / "task_space.json").read_text()) == {"x0": [0.0, 1.0], "x1": [0.0, 1.0]}
    assert (run / "config.toml").read_text().count("[test_env_kwargs]") == 1
    assert main(["suite", str(write_suite(tmp_path, text)), "--out", str(tmp_path / "out")]) == 0


def test_teachers_option_runs_only_those_teachers_into_the_same_layout(tmp_path, capsys):
    path = write_suite(tmp_path, SUITE.replace('["random"]', '["random", "alp-gmm"]'))
    out = tmp_path / "out"
    assert main(["suite", str(path), "--out", str(out), "--teachers", "riac"]) == 0
    assert sorted(p.parent.relative_to(out).as_posix() for p in out.glob("**/config.toml")) == [
        "small/toy/riac/seed-0",
        "small/toy/riac/seed-1",
    ]
    assert "2 runs" in capsys.readouterr().out
