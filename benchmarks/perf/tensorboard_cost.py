"""What a run's TensorBoard log costs in training throughput, with and without, in the same run.

Two students of one algorithm train side by side on the same env, seed and hyperparameters
(the per-env defaults of ``students.hyperparams``): one logs to a
:class:`~aclbench.harness.tensorboard.TensorBoardLog` in a temporary folder (SB3's own logger
writing TensorBoard events, as ``tensorboard = true`` does), the other has SB3's default logger,
which writes nothing. On a shared machine the load drifts within a minute, so they train in
alternating chunks (``learn`` goes on from where it stopped); each block of chunks gives one
paired ratio, steps per second with the log over without, and the median is printed, of wall
time and of the process's CPU time (all its threads, the event writer's included; the envs step
in the process too). The CPU ratio is the one to read on a loaded machine: other tenants change
the wall time of a chunk by tens of percent. The evaluation scalars (``eval/``, ``teacher/``)
are a handful of values per evaluation and are not timed.

The training envs of both carry ``VecMonitor`` (always on: it gives SB3 ``rollout/ep_rew_mean``);
its own cost is printed too, as CPU microseconds per vectorized step over bare envs stepped
with random actions, and as a share of the student's CPU time per step.

    python -m benchmarks.perf.tensorboard_cost [--algo ppo] [--env cartpole] [--chunk 4096]
        [--blocks 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env import DummyVecEnv, VecMonitor

from aclbench.envs import ENVS
from aclbench.envs.core import task_env
from aclbench.harness.tensorboard import TensorBoardLog
from aclbench.students import make_student
from aclbench.students.sb3 import SB3Student
from aclbench.teachers import make_teacher

BLOCK = 2  # chunks per side in one paired ratio


class NullListener:
    def on_episode(self, task: Any, episode_return: float, env_steps: int) -> None:
        pass

    def on_steps(self, env_steps: int) -> None:
        pass


def build(algo: str, env: str, seed: int) -> SB3Student:
    space = task_env(ENVS.get(env).make()).task_space
    teacher = make_teacher("random", space, seed=seed)
    student = make_student(algo, env, teacher, seed=seed, device="cpu")
    assert isinstance(student, SB3Student)
    return student


def timed_learn(student: SB3Student, steps: int) -> tuple[int, float, float]:
    """Env steps taken, wall and CPU seconds of one ``learn`` of ``steps`` more steps."""
    before = student.model.num_timesteps
    wall, cpu = time.perf_counter(), time.process_time()
    student.learn(steps, NullListener())
    taken = student.model.num_timesteps - before
    return taken, time.perf_counter() - wall, time.process_time() - cpu


def monitor_cost(env: str, n_envs: int, steps: int) -> float:
    """Microseconds ``VecMonitor`` adds to a vectorized step of ``n_envs`` envs ``env`` (on
    their default task), stepped with random actions."""
    bare = DummyVecEnv([ENVS.get(env).make for _ in range(n_envs)])
    monitored = VecMonitor(DummyVecEnv([ENVS.get(env).make for _ in range(n_envs)]))
    per_step = {}
    for name, venv in (("bare", bare), ("monitored", monitored), ("bare again", bare)):
        venv.seed(0)
        venv.action_space.seed(0)
        venv.reset()
        start = time.process_time()
        for _ in range(steps):
            venv.step(np.array([venv.action_space.sample() for _ in range(n_envs)]))
        per_step[name] = (time.process_time() - start) / steps
    bare.close()
    monitored.close()
    baseline = (per_step["bare"] + per_step["bare again"]) / 2
    return 1e6 * (per_step["monitored"] - baseline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--algo", default="ppo", help="SB3 student (default ppo)")
    parser.add_argument("--env", default="cartpole", help="env (default cartpole)")
    parser.add_argument("--chunk", type=int, default=4096, help="env steps per learn call")
    parser.add_argument("--blocks", type=int, default=5, help="paired ratios to take")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        plain, logged = build(args.algo, args.env, args.seed), build(args.algo, args.env, args.seed)
        board = TensorBoardLog(Path(folder))
        logged.log_training(board.logger)
        try:
            for student in (plain, logged):  # warm up: first rollouts, torch's first calls
                timed_learn(student, args.chunk)
            ratios: dict[str, list[float]] = {"wall": [], "cpu": []}
            totals = {"without": [0, 0.0], "with": [0, 0.0]}  # steps, CPU seconds
            for block in range(args.blocks):
                rates: dict[tuple[str, str], list[float]] = {
                    (side, clock): [] for side in totals for clock in ratios
                }
                for _ in range(BLOCK):
                    for side, student in (("without", plain), ("with", logged)):
                        steps, wall, cpu = timed_learn(student, args.chunk)
                        rates[side, "wall"].append(steps / wall)
                        rates[side, "cpu"].append(steps / cpu)
                        totals[side][0] += steps
                        totals[side][1] += cpu
                line = []
                for clock in ratios:
                    without = statistics.fmean(rates["without", clock])
                    ratio = statistics.fmean(rates["with", clock]) / without
                    ratios[clock].append(ratio)
                    line.append(f"{clock}: {without:.0f} steps/s without, ratio {ratio:.3f}")
                print(f"block {block}: {'; '.join(line)}", flush=True)
            events = sum(p.stat().st_size for p in Path(folder).iterdir())
            monitor_us = monitor_cost(args.env, plain.n_envs, 5000)
        finally:
            board.close()
            plain.close()
            logged.close()
    per_step_us = 1e6 * totals["without"][1] / totals["without"][0] * plain.n_envs
    summary = ", ".join(
        f"{clock} time {statistics.median(values):.3f} ({min(values):.3f} to {max(values):.3f})"
        for clock, values in ratios.items()
    )
    print(
        f"{args.algo} on {args.env}, {plain.n_envs} envs: steps/s with TensorBoard over without, "
        f"median of {args.blocks} paired blocks (range): {summary}; event file "
        f"{events / 1024:.0f} KiB for {totals['with'][0]} steps"
    )
    print(
        f"VecMonitor (in both): {monitor_us:.1f} CPU us per vectorized step of {plain.n_envs} "
        f"envs, {monitor_us / per_step_us:.2%} of the student's {per_step_us:.0f} us"
    )


if __name__ == "__main__":
    main()
