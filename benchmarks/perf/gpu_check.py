"""Check the students on a GPU: train, checkpoint and resume across devices, steps per second.

For each of PPO (``cartpole``) and SAC (``pendulum``), on ``cuda`` and on ``cpu``:

1. train ``--steps`` env steps from scratch and print the steps per second of each device
   (and their ratio, measured in the same run);
2. checkpoint the CUDA student, load the checkpoint into a fresh CPU student and train on;
   then checkpoint that one and load it back into a CUDA student and train on. Each resumed
   student must report env steps that go on from the checkpoint's and give finite evaluation
   returns, and its weights must have come across intact (compared on the CPU).

A failed check prints ``FAIL`` with the reason and makes the exit status 1. Without a CUDA
device the script prints that it skipped and exits 0, so it can run anywhere::

    python -m benchmarks.perf.gpu_check [--steps 4000]

Run it whenever a GPU machine is available, and keep what it printed with the results
(``results/perf/``): CI machines have no GPU.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from aclbench.envs import make_env, task_env
from aclbench.students import make_student
from aclbench.students.sb3 import SB3Student
from aclbench.task_space import Task
from aclbench.teachers import make_teacher

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "ppo": ("cartpole", {"n_envs": 4, "n_steps": 256, "batch_size": 256}),
    "sac": ("pendulum", {"learning_starts": 200, "batch_size": 256}),
}


class StepCounter:
    """The listener: remembers the env-step counts the student reports."""

    def __init__(self) -> None:
        self.steps: list[int] = []

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        pass

    def on_steps(self, env_steps: int) -> None:
        self.steps.append(env_steps)


def build(algo: str, device: str) -> SB3Student:
    env, params = CASES[algo]
    made = make_env(env)
    teacher = make_teacher("random", task_env(made).task_space, seed=0)
    made.close()
    student = make_student(algo, env, teacher, seed=0, device=device, **params)
    assert isinstance(student, SB3Student)
    return student


def train(student: SB3Student, steps: int) -> tuple[float, StepCounter]:
    counter = StepCounter()
    started = time.perf_counter()
    student.learn(steps, counter)
    if student.device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - started, counter


def weights(student: SB3Student) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in student.model.policy.state_dict().items()}


def resume_on(algo: str, source: SB3Student, device: str, steps: int, folder: Path) -> list[str]:
    """Checkpoint ``source``, resume it on ``device``, train on; the problems found."""
    problems = []
    source.save_checkpoint(folder)
    saved, at = weights(source), source.model.num_timesteps
    target = build(algo, device)
    try:
        target.load_checkpoint(folder)
        if target.model.device.type != torch.device(device).type:
            problems.append(f"resumed model is on {target.model.device}, not {device}")
        loaded = weights(target)
        if any(not torch.equal(saved[k], loaded[k]) for k in saved):
            problems.append(f"weights changed crossing {source.device} -> {device}")
        _, counter = train(target, steps)
        if not counter.steps or counter.steps[0] <= at:
            problems.append(f"steps after resume do not go on from {at}: {counter.steps[:3]}")
        returns = target.evaluate(_test_tasks(algo))
        if not np.all(np.isfinite(returns)):
            problems.append(f"non-finite evaluation returns {returns}")
    finally:
        target.close()
    return problems


def _test_tasks(algo: str) -> NDArray[np.float64]:
    made = make_env(CASES[algo][0])
    tasks = np.asarray(task_env(made).test_tasks())[:4]
    made.close()
    return tasks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=4000, help="env steps per training phase")
    parser.add_argument(
        "--device",
        default="cuda",
        help="the device checked against the CPU (default cuda; 'cpu' runs every check on the "
        "CPU alone, as the test of this script does)",
    )
    args = parser.parse_args(argv)
    device = args.device
    if device.startswith("cuda") and not torch.cuda.is_available():
        print(f"gpu_check: skipped, torch {torch.__version__} sees no CUDA device")
        return 0
    name = torch.cuda.get_device_name(device) if device.startswith("cuda") else "CPU only"
    print(f"gpu_check: {device} ({name}) against cpu, torch {torch.__version__}")
    failures = 0
    for algo in CASES:
        rates = {}
        students = {"device": build(algo, device), "cpu": build(algo, "cpu")}
        try:
            for side, student in students.items():
                seconds, _ = train(student, args.steps)
                rates[side] = student.model.num_timesteps / seconds
                print(f"{algo} on {student.device}: {rates[side]:.0f} steps/s")
            print(f"{algo}: {device} / cpu steps per second = {rates['device'] / rates['cpu']:.2f}")
            with tempfile.TemporaryDirectory() as tmp:
                problems = resume_on(algo, students["device"], "cpu", args.steps, Path(tmp) / "a")
                problems += resume_on(algo, students["cpu"], device, args.steps, Path(tmp) / "b")
        finally:
            for student in students.values():
                student.close()
        for problem in problems:
            print(f"FAIL {algo}: {problem}")
        failures += len(problems)
        if not problems:
            print(f"{algo}: checkpoints {device} -> cpu and cpu -> {device} resumed and trained on")
    print("gpu_check:", "FAILED" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
