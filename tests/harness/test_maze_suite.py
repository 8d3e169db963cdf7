"""The maze suite expands into the runs it promises, with parameters every teacher accepts."""

from __future__ import annotations

from pathlib import Path

from aclbench.envs.maze import MazeTaskSpace
from aclbench.harness.suite import Suite
from aclbench.students.hyperparams import STUDENT_KEYS
from aclbench.teachers import make_teacher

SUITE = Path(__file__).parents[2] / "benchmarks" / "suites" / "maze.toml"


def test_maze_suite_runs_every_regret_teacher_with_ppo_on_four_seeds() -> None:
    suite = Suite.load(SUITE)
    runs = [planned.config for planned in suite.runs]
    assert (
        len(runs) == 24
        and {r.env for r in runs} == {"maze"}
        and {r.student for r in runs} == {"ppo"}
    )
    by_teacher: dict[str, list[int]] = {}
    for run in runs:
        by_teacher.setdefault(run.teacher, []).append(run.seed)
    assert by_teacher == {
        t: [0, 1, 2, 3] for t in ("random", "plr", "robust-plr", "accel", "paired", "clutr")
    }
    space = MazeTaskSpace()
    for run in runs[::4]:
        make_teacher(run.teacher, space, seed=0, **run.teacher_params)  # parameters accepted
    assert set(runs[0].student_params) - set(STUDENT_KEYS) >= {"n_steps", "batch_size"}
    assert runs[0].student_params["n_steps"] >= 250  # a PAIRED round finishes a maze episode
