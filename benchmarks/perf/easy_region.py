"""Does the recommended SB3 student master each control env's easy region in 15 minutes?

For each env: build the student (``students``, with its per-env defaults from
``students/hyperparams.py``: one torch thread, in-process envs) and a teacher that draws tasks
uniformly from the env's easy box; train it in chunks of ``--eval-every`` steps until its step
budget or the time budget (``--minutes`` of training, wall-clock or this process's CPU time
with ``--clock cpu``; evaluations excluded) runs out. After each chunk it is evaluated, as the
harness does (:meth:`Student.evaluate`), on the easy test set, a grid over the box, and the % of
tasks whose return beats the env's ``mastered_threshold`` is printed with the tasks missed.

    python -m benchmarks.perf.easy_region --env pendulum --algo sac
    python -m benchmarks.perf.easy_region --env lunarlander --algo ppo --clock cpu

On a shared machine the wall clock overstates the cost; the CPU time is what one dedicated
core would take.
"""

from __future__ import annotations

import argparse
import ast
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

import envs
from aclbench.task_space import Task, TaskSpace
from students import make_student
from teachers.base import Teacher


@dataclass(frozen=True)
class EasyRegion:
    """An env's easy box, the grid of its test set, and step budgets per student."""

    box: dict[str, tuple[float, float]]
    points_per_dim: int
    budgets: dict[str, int]


EASY: dict[str, EasyRegion] = {
    "cartpole": EasyRegion(
        {"pole_length": (0.3, 0.5), "pole_mass": (0.05, 0.3), "force_mag": (5.0, 20.0)},
        3,
        {"ppo": 100_000},
    ),
    "pendulum": EasyRegion(
        {"mass": (0.5, 1.0), "length": (0.5, 1.0), "gravity": (2.0, 10.0)},
        3,
        {"sac": 20_000, "ppo": 300_000},
    ),
    "mountaincar": EasyRegion(
        {"power": (0.0015, 0.002), "goal_position": (-0.2, 0.1)}, 4, {"sac": 50_000}
    ),
    "lunarlander": EasyRegion(
        {"gravity": (-12.0, -6.0), "wind_power": (0.0, 2.0), "turbulence_power": (0.0, 0.4)},
        3,
        {"ppo": 1_000_000},
    ),
}


class BoxTeacher(Teacher):
    """Uniform tasks from a box inside the env's task space (a random teacher restricted to
    the easy region)."""

    def __init__(self, task_space: TaskSpace, box: TaskSpace, *, seed: int | None = None) -> None:
        super().__init__(task_space, seed=seed)
        self.box = box

    def _sample_task(self) -> Task:
        return self.box.sample(self.rng)


class _Quiet:
    """A training listener that ignores what it hears (evaluations happen between chunks)."""

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        pass

    def on_steps(self, env_steps: int) -> None:
        pass


def easy_tests(env_name: str) -> tuple[TaskSpace, TaskSpace, NDArray[np.float64], float]:
    """The env's task space, its easy box, the easy test grid and the mastered threshold."""
    inner = envs.task_env(envs.make_env(env_name))
    region = EASY[env_name]
    bounds = {d.name: (d.low, d.high) for d in inner.task_space.dims}
    box = TaskSpace({**bounds, **region.box})
    return inner.task_space, box, box.grid(region.points_per_dim), inner.mastered_threshold


def run(
    env_name: str,
    algo: str,
    seed: int,
    minutes: float,
    clock: str,
    steps: int | None,
    every: int,
    overrides: dict[str, Any],
) -> None:
    space, box, tests, threshold = easy_tests(env_name)
    budget = EASY[env_name].budgets[algo] if steps is None else steps
    teacher = BoxTeacher(space, box, seed=seed)
    student = make_student(algo, env_name, teacher, seed=seed, device="cpu", **overrides)
    wall = cpu = 0.0
    done = 0
    try:
        while done < budget and (cpu if clock == "cpu" else wall) < minutes * 60:
            t0, c0 = time.perf_counter(), time.process_time()
            student.learn(min(every, budget - done), _Quiet())
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            done = student.model.num_timesteps
            returns = student.evaluate(tests)
            print(
                f"{env_name:12s} {algo:4s} seed {seed} steps {done:8d} train {wall / 60:5.1f} "
                f"min (cpu {cpu / 60:5.1f} min)  mastered {np.mean(returns > threshold):6.1%} "
                f"of {len(tests)}  mean return {returns.mean():8.1f}",
                flush=True,
            )
            for task, ret in zip(tests, returns, strict=True):
                if ret <= threshold:
                    print(f"    not mastered: {np.round(task, 5).tolist()} return {ret:.1f}")
    finally:
        student.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", choices=sorted(EASY), required=True)
    parser.add_argument("--algo", required=True, help="a student with a budget for the env")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--minutes", type=float, default=15.0, help="training time budget")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall")
    parser.add_argument("--steps", type=int, default=None, help="default: the student's budget")
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a parameter"
    )
    args = parser.parse_args(argv)
    if args.algo not in EASY[args.env].budgets:
        parser.error(f"--algo for {args.env}: one of {', '.join(EASY[args.env].budgets)}")
    overrides = {k: ast.literal_eval(v) for k, _, v in (item.partition("=") for item in args.set)}
    run(
        args.env,
        args.algo,
        args.seed,
        args.minutes,
        args.clock,
        args.steps,
        args.eval_every,
        overrides,
    )


if __name__ == "__main__":
    main()
