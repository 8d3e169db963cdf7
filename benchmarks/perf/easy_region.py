"""Does the recommended SB3 student master each control env's easy region in 15 minutes?

For each env: build the student (``students``, with its per-env defaults from
``students/hyperparams.py``: one torch thread, in-process envs) and a teacher that draws tasks
uniformly from the env's easy box, and train it for its step budget in one ``learn`` call, as
the harness does. Every ``--eval-every`` steps the training listener evaluates it
(:meth:`Student.evaluate`) on the easy test set, a grid over the box, and prints the training
time so far (wall-clock and this process's CPU time, evaluations excluded), the % of tasks
whose return beats the env's ``mastered_threshold``, and the tasks missed.

    python -m benchmarks.perf.easy_region --env pendulum --algo sac
    python -m benchmarks.perf.easy_region --env lunarlander --algo ppo --eval-every 100000

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

from aclbench import envs
from aclbench.students import Student, make_student
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Teacher


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
        {"power": (0.0025, 0.003), "goal_position": (-0.2, 0.2)}, 4, {"sac": 20_000}
    ),
    "lunarlander": EasyRegion(
        {"gravity": (-12.0, -6.0), "wind_power": (0.0, 2.0), "turbulence_power": (0.0, 0.4)},
        3,
        {"ppo": 1_500_000},
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


class Progress:
    """Training listener: every ``every`` steps, evaluates the student on the easy test set as
    the harness does, and prints the training time so far (evaluations excluded)."""

    def __init__(
        self, student: Student, tests: NDArray[np.float64], threshold: float, label: str, every: int
    ) -> None:
        self.student, self.tests, self.threshold = student, tests, threshold
        self.label, self.every, self.next, self.last = label, every, every, 0
        self.t0, self.c0 = time.perf_counter(), time.process_time()
        self.eval_wall = self.eval_cpu = 0.0
        self.steps = 0  # env steps trained so far, as the student last reported them

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        pass

    def on_steps(self, env_steps: int) -> None:
        self.steps = env_steps
        if env_steps >= self.next:
            self.next += self.every
            self.report(env_steps)

    def report(self, env_steps: int) -> None:
        self.last = env_steps
        wall = time.perf_counter() - self.t0 - self.eval_wall
        cpu = time.process_time() - self.c0 - self.eval_cpu
        t0, c0 = time.perf_counter(), time.process_time()
        returns = self.student.evaluate(self.tests)
        self.eval_wall += time.perf_counter() - t0
        self.eval_cpu += time.process_time() - c0
        print(
            f"{self.label} steps {env_steps:8d} train {wall / 60:5.1f} min (cpu {cpu / 60:5.1f} "
            f"min)  mastered {np.mean(returns > self.threshold):6.1%} of {len(self.tests)}  "
            f"mean return {returns.mean():8.1f}",
            flush=True,
        )
        for task, ret in zip(self.tests, returns, strict=True):
            if ret <= self.threshold:
                print(f"    not mastered: {np.round(task, 5).tolist()} return {ret:.1f}")


def easy_tests(env_name: str) -> tuple[TaskSpace, TaskSpace, NDArray[np.float64], float]:
    """The env's task space, its easy box, the easy test grid and the mastered threshold."""
    inner = envs.task_env(envs.make_env(env_name))
    region = EASY[env_name]
    bounds = {d.name: (d.low, d.high) for d in inner.task_space.dims}
    box = TaskSpace({**bounds, **region.box})
    return inner.task_space, box, box.grid(region.points_per_dim), inner.mastered_threshold


def run(
    env_name: str, algo: str, seed: int, steps: int | None, every: int, overrides: dict[str, Any]
) -> None:
    space, box, tests, threshold = easy_tests(env_name)
    budget = EASY[env_name].budgets[algo] if steps is None else steps
    teacher = BoxTeacher(space, box, seed=seed)
    student = make_student(algo, env_name, teacher, seed=seed, device="cpu", **overrides)
    progress = Progress(student, tests, threshold, f"{env_name:12s} {algo:4s} seed {seed}", every)
    try:
        student.learn(budget, progress)
        if progress.last < budget:
            progress.report(progress.steps)
    finally:
        student.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", choices=sorted(EASY), required=True)
    parser.add_argument("--algo", required=True, help="a student with a budget for the env")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=None, help="default: the student's budget")
    parser.add_argument("--eval-every", type=int, default=10_000)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a parameter"
    )
    args = parser.parse_args(argv)
    if args.algo not in EASY[args.env].budgets:
        parser.error(f"--algo for {args.env}: one of {', '.join(EASY[args.env].budgets)}")
    overrides = {k: ast.literal_eval(v) for k, _, v in (item.partition("=") for item in args.set)}
    run(args.env, args.algo, args.seed, args.steps, args.eval_every, overrides)


if __name__ == "__main__":
    main()
