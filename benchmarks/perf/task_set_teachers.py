"""The task-set teachers on the simulated task-graph student, and their cost per episode.

For every row of :data:`ROWS`, over ``--seeds`` seeds, this prints

- ``mastered``: tasks mastered after ``--budget`` episodes on the default ``task-graph`` env
  (a chain of 6 learnable tasks and 2 unlearnable ones), mean and standard deviation;
- ``to master chain``: episodes until a chain of 6 learnable tasks is mastered (at most
  ``--cap``; a run that does not finish counts as the cap), mean and standard deviation;
- ``cost``: the teacher's time per episode (sample + update) as a ratio to ``random``'s,
  measured in alternating rounds in the same run (median over rounds).

Every return gets Gaussian noise of ``--noise`` (default 0.02); ``--forgetting`` switches the
env's forgetting on. ``mastering-rate`` rows marked ``+graph`` are given the env's graph and
its mastered threshold as ``max_returns``; the others know nothing of the graph.

Run: ``python -m benchmarks.perf.task_set_teachers [--seeds N] [--budget N] [--noise X]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from aclbench.envs.task_graph import TaskGraphEnv
from aclbench.teachers import Teacher, make_teacher


@dataclass(frozen=True)
class Row:
    teacher: str
    params: dict[str, Any] = field(default_factory=dict)
    graph: bool = False

    @property
    def label(self) -> str:
        extra = [f"{k}={v}" for k, v in self.params.items()] + (["+graph"] if self.graph else [])
        return f"{self.teacher}({', '.join(extra)})" if extra else self.teacher


ROWS = [
    Row("random"),
    *(Row("tscl", {"variant": v}) for v in ("online", "naive", "window", "sampling")),
    Row("tscl", {"variant": "window", "policy": "boltzmann"}),
    Row("exp3"),
    Row("exp3s"),
    Row("sec"),
    Row("mastering-rate"),
    Row("mastering-rate", graph=True),
]


def _teacher(row: Row, env: TaskGraphEnv, seed: int) -> Teacher:
    params = dict(row.params)
    if row.graph:
        params |= {"graph": env.graph, "max_returns": env.mastered_threshold}
    return make_teacher(row.teacher, env.task_space, seed=seed, **params)


def _train(row: Row, env: TaskGraphEnv, seed: int, budget: int) -> tuple[int, int]:
    """(tasks mastered, episodes played); stops once every learnable task is mastered."""
    env.reset(seed=seed)
    teacher = _teacher(row, env, seed)
    learnable, played = ~env.unlearnable, 0
    while played < budget and not env.mastered()[learnable].all():
        task = teacher.sample_task()
        env.reset(options={"task": task})
        teacher.update(task, env.step(np.int64(0))[1])
        played += 1
    return int(env.mastered().sum()), played


def _cost(row: Row, episodes: int) -> float:
    """Seconds per episode of the teacher alone, fed uniform random returns."""
    env = TaskGraphEnv()
    teacher, rng = _teacher(row, env, 0), np.random.default_rng(0)
    returns = rng.random(episodes)
    start = time.perf_counter()
    for value in returns:
        teacher.update(teacher.sample_task(), value)
    return (time.perf_counter() - start) / episodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--budget", type=int, default=1000)
    parser.add_argument("--cap", type=int, default=4000)
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--forgetting", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env_kwargs = {"noise": args.noise, "forgetting": args.forgetting}

    costs: dict[str, list[float]] = {row.label: [] for row in ROWS}
    for _ in range(args.rounds):
        for row in ROWS:
            costs[row.label].append(_cost(row, 500))
    base_cost = statistics.median(costs["random"])

    print(f"{args.seeds} seeds, noise {args.noise}, forgetting {args.forgetting}")
    print(f"{'teacher':44s} {'mastered /6':>14s} {'to master chain':>18s} {'cost':>7s}")
    for row in ROWS:
        mastered = [
            _train(row, TaskGraphEnv(**env_kwargs), s, args.budget)[0] for s in range(args.seeds)
        ]
        chain = [
            _train(row, TaskGraphEnv(n_tasks=6, unlearnable=(), **env_kwargs), s, args.cap)[1]
            for s in range(args.seeds)
        ]
        cost = statistics.median(costs[row.label]) / base_cost
        print(
            f"{row.label:44s} {np.mean(mastered):7.2f} ± {np.std(mastered):4.2f}"
            f" {np.mean(chain):9.0f} ± {np.std(chain):5.0f} {cost:6.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
