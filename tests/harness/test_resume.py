"""Runs survive being killed: a rerun resumes from the last checkpoint with no gap and no
duplicate row, and on the toy bench ends exactly as an uninterrupted run."""

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

TOY = (
    "--env toy --teacher alp-gmm --student simulated --seed 3 --steps 12000 "
    "--eval-interval 500 -p teacher.fit_rate=100"
).split()
PPO = (
    "--env cartpole --teacher random --student ppo --seed 1 --steps 6144 --eval-interval 1024 "
    "-p student.n_envs=2 -p student.n_steps=256 -p student.n_epochs=1"
).split()


def start(args: list[str], out: Path, *, pause_at: int | None = None) -> subprocess.Popen:
    """``aclbench run`` in a process of its own; with ``pause_at``, the run stops after its
    first checkpoint at ``pause_at`` env steps or more, and waits there (see PAUSING)."""
    command = ["-m", "aclbench.harness.cli"] if pause_at is None else ["-c", PAUSING, str(pause_at)]
    return subprocess.Popen(
        [sys.executable, *command, "run", *args, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).parents[2],
    )


PAUSING = """
import sys, time
from pathlib import Path
from aclbench.harness import runner
from aclbench.harness.cli import main

pause_at, argv = int(sys.argv[1]), sys.argv[2:]
out = Path(argv[argv.index("--out") + 1])
write = runner.write_checkpoint

def write_then_wait(run_dir, state, save_student):
    write(run_dir, state, save_student)
    if state["env_steps"] >= pause_at and not (out / "paused").exists():
        (out / "paused").touch()
        while not (out / "go-on").exists():
            time.sleep(0.01)

runner.write_checkpoint = write_then_wait
sys.exit(main(argv))
"""
"""A run that writes ``paused`` in its folder once it has checkpointed, then waits for the
file ``go-on``: the test signals it at a known point, whatever the machine's speed."""


def finish(args: list[str], out: Path) -> dict:
    assert start(args, out).wait(timeout=300) == 0
    return json.loads((out / "status.json").read_text())


def checkpointed_steps(out: Path) -> int:
    try:
        return pickle.loads((out / "checkpoint" / "harness.pkl").read_bytes())["env_steps"]
    except (OSError, EOFError, pickle.UnpicklingError):
        return 0


def interrupt(args: list[str], out: Path, signum: int, after_steps: int) -> None:
    """Start a run and send it ``signum`` once it has checkpointed ``after_steps`` steps."""
    process = start(args, out, pause_at=after_steps)
    deadline = time.monotonic() + 240
    while not (out / "paused").exists():
        assert process.poll() is None, "the run ended before it checkpointed"
        assert time.monotonic() < deadline, "the run never checkpointed"
        time.sleep(0.05)
    os.kill(process.pid, signum)
    (out / "go-on").touch()  # a SIGTERM-ed run goes on to its next step, and stops there
    process.wait(timeout=60)
    for name in ("paused", "go-on"):
        (out / name).unlink()


def frames(out: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(out / name).drop(columns="wall_s", errors="ignore")
        for name in ("eval.csv", "tasks.csv", "eval_tasks.csv")
    }


def test_toy_run_killed_with_sigkill_resumes_to_the_same_results(tmp_path):
    reference = finish(TOY, tmp_path / "reference")
    assert reference["state"] == "done" and not (tmp_path / "reference/checkpoint").exists()

    killed = tmp_path / "killed"
    interrupt(TOY, killed, signal.SIGKILL, after_steps=5000)
    assert json.loads((killed / "status.json").read_text())["state"] == "running"
    resumed = finish(TOY, killed)
    assert resumed["state"] == "done" and resumed["resumed_at_env_steps"] >= 5000
    for name, frame in frames(tmp_path / "reference").items():
        pd.testing.assert_frame_equal(frames(killed)[name], frame, obj=name)
    logs = [(tmp_path / d / "teacher_log.jsonl").read_text() for d in ("reference", "killed")]
    assert logs[0] == logs[1]


def test_sigterm_checkpoints_and_marks_the_run_interrupted(tmp_path):
    out = tmp_path / "run"
    interrupt(TOY, out, signal.SIGTERM, after_steps=2000)
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "interrupted" and "signal" in status["error"]
    assert checkpointed_steps(out) >= 2000
    assert finish(TOY, out)["state"] == "done"
    assert frames(out)["eval.csv"]["env_steps"].tolist() == list(range(0, 12001, 500))


def test_ppo_run_killed_mid_way_resumes_with_the_same_rows_and_step_counts(tmp_path):
    finish(PPO, tmp_path / "reference")
    killed = tmp_path / "killed"
    interrupt(PPO, killed, signal.SIGKILL, after_steps=2048)
    status = finish(PPO, killed)
    assert status["state"] == "done" and status["resumed_at_env_steps"] >= 2048
    reference, resumed = frames(tmp_path / "reference"), frames(killed)
    assert resumed["eval.csv"]["env_steps"].tolist() == reference["eval.csv"]["env_steps"].tolist()
    tasks = resumed["tasks.csv"]
    assert tasks["episode"].tolist() == list(range(len(tasks)))  # no gap, no duplicate
    assert tasks["env_steps"].is_monotonic_increasing
    assert tasks["env_steps"].iloc[-1] <= reference["tasks.csv"]["env_steps"].iloc[-1] + 512


PAIRED_ROUND = 2 * 2 * 16  # both students, 2 envs x 16 steps each
PAIRED = (
    "--env maze --teacher paired --student ppo --seed 1 --steps 1024 --eval-interval 72 "
    "-p env.size=5 -p env.max_walls=4 -p env.max_steps=10 -p student.n_envs=2 "
    "-p student.n_steps=16 -p student.batch_size=32 -p student.n_epochs=1 --device cpu"
).split()


def test_paired_run_killed_mid_round_resumes_its_round_with_the_same_rows(tmp_path):
    """Checkpoints at multiples of 72 fall inside a student's rollout; the resumed run replays
    that rollout on the round's levels, so it is not bit-identical, but its rows go on without
    gap or duplicate and every round has its levels, students and adversary update."""
    from stable_baselines3 import PPO

    from aclbench.harness.cli import main

    assert main(["run", *PAIRED, "--out", str(tmp_path / "reference")]) == 0  # in-process: faster
    killed = tmp_path / "killed"
    interrupt(PAIRED, killed, signal.SIGKILL, after_steps=300)
    at = pickle.loads((killed / "checkpoint" / "harness.pkl").read_bytes())["env_steps"]
    status = finish(PAIRED, killed)
    assert status["state"] == "done" and status["resumed_at_env_steps"] == at >= 300
    reference, resumed = frames(tmp_path / "reference"), frames(killed)
    for name, frame in reference.items():  # the rows up to the checkpoint are the reference's
        before = resumed[name][resumed[name]["env_steps"] <= at].reset_index(drop=True)
        pd.testing.assert_frame_equal(before, frame[frame["env_steps"] <= at], obj=name)
    steps = resumed["eval.csv"]["env_steps"].tolist()
    assert reference["eval.csv"]["env_steps"].tolist() == [*range(0, 1024, 72), 1024]
    assert steps == [*range(0, steps[-1], 72), steps[-1]] and steps[-1] >= 1024
    tasks = resumed["tasks.csv"]
    assert tasks["episode"].tolist() == list(range(len(tasks)))  # no gap, no duplicate
    assert tasks["env_steps"].is_monotonic_increasing and len(tasks) > 20
    # The interrupted round was finished, not dropped: rounds (teacher) and steps (both
    # students, restored) add up, the replayed rollout making up the difference.
    final = json.loads((killed / "teacher_log.jsonl").read_text().splitlines()[-1])
    rounds, last = final["state"]["rounds"], steps[-1]
    assert final["state"]["levels_built"] == 2 * rounds
    assert 0 < last - rounds * PAIRED_ROUND <= PAIRED_ROUND // 2
    models = [PPO.load(killed / name, device="cpu") for name in ("model.zip", "antagonist.zip")]
    assert sum(m.num_timesteps for m in models) == last
