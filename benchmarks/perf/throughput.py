"""PPO training throughput with the curriculum channel, against plain SB3 in the same run.

Both sides train PPO on ``cartpole`` in a ``SubprocVecEnv`` of 4 workers with the same
hyperparameters (``students.hyperparams`` for cartpole, ``n_steps`` doubled to keep 256 steps
per rollout with 4 envs). The curriculum side is the ``ppo`` student: a
:class:`~students.wrapper.CurriculumWrapper` in every worker, the
:class:`~students.callback.CurriculumCallback` and a ``random`` teacher in the main process,
and a listener that does nothing. The plain side is ``stable_baselines3.PPO`` on the bare envs,
which draw their own uniform tasks (the same distribution). Only ``learn`` is timed, once all
workers have started (SB3 waits for the first worker only); the two
sides alternate, and each pair gives one ratio, so that drifting load on a shared machine hits
both alike. Goal: ratio >= 0.95.

    python -m benchmarks.perf.throughput [--steps 20000] [--repeats 3] [--set n_epochs=1]
"""

from __future__ import annotations

import argparse
import ast
import functools
import statistics
import time
from typing import Any

import gymnasium as gym
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.vec_env import SubprocVecEnv

from envs import ENVS
from envs.core import task_env
from students import make_student
from students.hyperparams import STUDENT_KEYS, default_params, resolve_schedules
from teachers import make_teacher

ENV = "cartpole"
N_ENVS = 4


class NullListener:
    def on_episode(self, task: Any, episode_return: float, env_steps: int) -> None:
        pass

    def on_steps(self, env_steps: int) -> None:
        pass


def time_plain(params: dict[str, Any], steps: int, seed: int) -> float:
    spec = gym.spec(ENVS.get(ENV).gym_id)
    venv = SubprocVecEnv([functools.partial(gym.make, spec) for _ in range(N_ENVS)])
    try:
        model = PPO("MlpPolicy", venv, seed=seed, device="cpu", **resolve_schedules(params))
        venv.get_attr("spec")  # wait until every worker has started
        start = time.perf_counter()
        model.learn(steps)
        return model.num_timesteps / (time.perf_counter() - start)
    finally:
        venv.close()


def time_curriculum(params: dict[str, Any], steps: int, seed: int) -> float:
    space = task_env(ENVS.get(ENV).make()).task_space
    teacher = make_teacher("random", space, seed=seed)
    student = make_student(
        "ppo", ENV, teacher, seed=seed, device="cpu", n_envs=N_ENVS, vec_env="subproc", **params
    )
    try:
        student.venv.get_attr("spec")  # type: ignore[attr-defined]
        start = time.perf_counter()
        student.learn(steps, NullListener())
        return student.model.num_timesteps / (time.perf_counter() - start)  # type: ignore[attr-defined]
    finally:
        student.close()  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20_000, help="env steps per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="pairs of measurements")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="PPO hyperparameter"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)  # the student's default, set for the plain side too
    params = {**default_params("ppo", ENV), "n_steps": 64}
    for item in args.set:
        name, value = item.split("=", 1)
        params[name] = ast.literal_eval(value)
    for name in STUDENT_KEYS:
        params.pop(name, None)
    print(f"PPO on {ENV}, SubprocVecEnv({N_ENVS}), {args.steps} steps each, params {params}")

    ratios = []
    for repeat in range(args.repeats):
        runs = [("plain", time_plain), ("curriculum", time_curriculum)]
        rates = {}
        for name, measure in runs if repeat % 2 == 0 else runs[::-1]:
            rates[name] = measure(params, args.steps, seed=repeat)
        ratios.append(rates["curriculum"] / rates["plain"])
        print(
            f"repeat {repeat}: plain {rates['plain']:7.0f} steps/s  curriculum "
            f"{rates['curriculum']:7.0f} steps/s  ratio {ratios[-1]:.3f}",
            flush=True,
        )
    print(
        f"ratio curriculum / plain: median {statistics.median(ratios):.3f}, "
        f"min {min(ratios):.3f}, max {max(ratios):.3f} over {len(ratios)} pairs"
    )


if __name__ == "__main__":
    main()
