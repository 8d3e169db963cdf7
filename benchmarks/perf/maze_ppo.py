"""Does SB3 PPO learn the ``maze`` env from its flat egocentric observation?

Trains PPO (``MlpPolicy``) on randomly generated levels (domain randomization, no teacher) of a
small maze and prints the share of solvable held-out random levels it solves, before and after
training, with a random policy's share as the baseline measured in the same run. Run with::

    nice -n 10 python -m benchmarks.perf.maze_ppo [--steps 60000] [--size 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env

from aclbench.envs.maze import MazeEnv
from aclbench.envs.maze_levels import decode, shortest_path


def solvable_levels(env: MazeEnv, n: int, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    tasks: list[np.ndarray] = []
    while len(tasks) < n:
        task = env.task_space.sample(rng)
        if shortest_path(decode(task, env.task_space.size)) is not None:
            tasks.append(task)
    return tasks


def success_rate(env: MazeEnv, tasks: list[np.ndarray], act: Callable[[np.ndarray], int]) -> float:
    solved = 0
    for task in tasks:
        obs, _ = env.reset(options={"task": task})
        done, total = False, 0.0
        while not done:
            obs, reward, terminated, truncated, _ = env.step(act(obs))
            total += reward
            done = terminated or truncated
        solved += total > env.mastered_threshold
    return solved / len(tasks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60_000)
    parser.add_argument("--size", type=int, default=7)
    parser.add_argument("--max-walls", type=int, default=10)
    parser.add_argument("--max-steps", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)  # a small MLP: threads only contend on a shared machine

    kwargs = dict(size=args.size, max_walls=args.max_walls, max_steps=args.max_steps)
    venv = make_vec_env(MazeEnv, n_envs=8, seed=args.seed, env_kwargs=kwargs)
    model = PPO(
        "MlpPolicy", venv, n_steps=256, batch_size=256, ent_coef=0.01, seed=args.seed, device="cpu"
    )
    eval_env = MazeEnv(**kwargs)
    tasks = solvable_levels(eval_env, 200, seed=args.seed + 1)
    rng = np.random.default_rng(args.seed)

    def policy(obs: np.ndarray) -> int:
        return int(model.predict(obs, deterministic=False)[0])

    random_share = success_rate(eval_env, tasks, lambda obs: int(rng.integers(3)))
    before = success_rate(eval_env, tasks, policy)
    start = time.perf_counter()
    model.learn(args.steps)
    seconds = time.perf_counter() - start
    after = success_rate(eval_env, tasks, policy)
    print(
        f"maze {args.size}x{args.size}, <= {args.max_walls} walls, {args.max_steps} steps/episode"
    )
    print(f"PPO MlpPolicy, {args.steps} steps in {seconds:.0f} s ({args.steps / seconds:.0f}/s)")
    print(
        f"solved share of 200 solvable random levels: random policy {random_share:.2f}, "
        f"PPO before training {before:.2f}, after {after:.2f}"
    )


if __name__ == "__main__":
    main()
