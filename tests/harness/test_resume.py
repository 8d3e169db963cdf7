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
    "--env toy --teacher alp-gmm --student simulated --seed 3 --steps 6000 "
    "--eval-interval 500 -p teacher.fit_rate=100"
).split()
PPO = (
    "--env cartpole --teacher random --student ppo --seed 1 --steps 6144 --eval-interval 1024 "
    "-p student.n_envs=2 -p student.n_steps=256 -p student.n_epochs=1"
).split()


def start(args: list[str], out: Path, *, pause: list[str] = ()) -> subprocess.Popen:
    module = "tests.harness.pausing_run" if pause else "aclbench.harness.cli"
    return subprocess.Popen(
        [sys.executable, "-m", module, *pause, "run", *args, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).parents[2],
    )


def finish(args: list[str], out: Path) -> dict:
    assert start(args, out).wait(timeout=300) == 0
    return json.loads((out / "status.json").read_text())


def checkpointed_steps(out: Path) -> int:
    try:
        return pickle.loads((out / "checkpoint" / "harness.pkl").read_bytes())["env_steps"]
    except (OSError, EOFError, pickle.UnpicklingError):
        return 0


def interrupt(args: list[str], out: Path, signum: int, after_steps: int) -> int:
    """Start a run, let it pause right after its first checkpoint of ``after_steps`` steps or
    more, send it ``signum`` there, then let it go on; return the checkpoint's env steps. The
    run waits for the signal, so the test never races it."""
    paused, go = out.with_name(f"{out.name}.paused"), out.with_name(f"{out.name}.go")
    process = start(args, out, pause=[str(after_steps), str(paused), str(go)])
    deadline = time.monotonic() + 240
    while not paused.exists():  # the run blocks once it has written this file
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline, "the run never checkpointed"
        time.sleep(0.05)
    os.kill(process.pid, signum)
    go.touch()
    process.wait(timeout=60)
    return int(paused.read_text())


def frames(out: Path) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(out / name).drop(columns="wall_s", errors="ignore")
        for name in ("eval.csv", "tasks.csv", "eval_tasks.csv")
    }


def test_toy_run_killed_with_sigkill_resumes_to_the_same_results(tmp_path):
    reference = finish(TOY, tmp_path / "reference")
    assert reference["state"] == "done" and not (tmp_path / "reference/checkpoint").exists()

    killed = tmp_path / "killed"
    at = interrupt(TOY, killed, signal.SIGKILL, after_steps=3000)
    assert json.loads((killed / "status.json").read_text())["state"] == "running"
    resumed = finish(TOY, killed)
    assert resumed["state"] == "done" and resumed["resumed_at_env_steps"] == at >= 3000
    for name, frame in frames(tmp_path / "reference").items():
        pd.testing.assert_frame_equal(frames(killed)[name], frame, obj=name)
    logs = [(tmp_path / d / "teacher_log.jsonl").read_text() for d in ("reference", "killed")]
    assert logs[0] == logs[1]


def test_sigterm_checkpoints_and_marks_the_run_interrupted(tmp_path):
    out = tmp_path / "run"
    at = interrupt(TOY, out, signal.SIGTERM, after_steps=2000)
    status = json.loads((out / "status.json").read_text())
    assert status["state"] == "interrupted" and "signal" in status["error"]
    assert checkpointed_steps(out) > at >= 2000  # it checkpointed again as it stopped
    assert finish(TOY, out)["state"] == "done"
    assert frames(out)["eval.csv"]["env_steps"].tolist() == list(range(0, 6001, 500))


def test_ppo_run_killed_mid_way_resumes_with_the_same_rows_and_step_counts(tmp_path):
    finish(PPO, tmp_path / "reference")
    killed = tmp_path / "killed"
    at = interrupt(PPO, killed, signal.SIGKILL, after_steps=2048)
    status = finish(PPO, killed)
    assert status["state"] == "done" and status["resumed_at_env_steps"] == at >= 2048
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
    at = interrupt(PAIRED, killed, signal.SIGKILL, after_steps=300)
    assert pickle.loads((killed / "checkpoint" / "harness.pkl").read_bytes())["env_steps"] == at
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


def test_again_run_killed_after_its_pretest_resumes_with_the_same_expert_and_results(tmp_path):
    """AGAIN's state after the pretest (its expert, its place in the expert's curriculum) lives
    in the teacher's checkpoint: the resumed run ends exactly as the uninterrupted one."""
    toy = "--env toy --student simulated --steps 1500 --eval-interval 250 -p env.cells_per_dim=4"
    for seed in (0, 1):
        classroom_run = f"{toy} --teacher alp-gmm --seed {seed} -p teacher.fit_rate=50".split()
        assert finish(classroom_run, tmp_path / "classroom" / f"seed-{seed}")["state"] == "done"
    again = [
        *f"{toy} --teacher again --seed 5 -p teacher.k=1".split(),
        *["-p", f"teacher.classroom='{tmp_path / 'classroom'}'"],
        *["-p", "teacher.alp_gmm={fit_rate=50}"],
    ]
    reference = finish(again, tmp_path / "reference")
    assert reference["state"] == "done"
    killed = tmp_path / "killed"
    at = interrupt(again, killed, signal.SIGKILL, after_steps=750)
    assert finish(again, killed)["resumed_at_env_steps"] == at >= 750
    for name, frame in frames(tmp_path / "reference").items():
        pd.testing.assert_frame_equal(frames(killed)[name], frame, obj=name)
    logs = [(tmp_path / d / "teacher_log.jsonl").read_text() for d in ("reference", "killed")]
    assert logs[0] == logs[1] and '"phase": "replay"' in logs[0]
