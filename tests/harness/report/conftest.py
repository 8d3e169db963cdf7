"""A synthetic results folder with known values, written in the runner's format.

Every curve is a straight line from 0 at step 0 to the run's final % mastered at its budget, so
any statistic at any step is the statistic of the finals times ``step / budget``, easy to compute
by hand. Mean return is twice the % mastered.

baseline/ (suite "demo", budget 1000, evaluations every 250 steps):
    toy (2-D)       random   seeds 0-3: 10 20 30 60 (seed 1 evaluated at 0/300/600/1000)
                    alp-gmm  seeds 0-3: 40 50 60 90
                    riac     seeds 0-2: 20 30 40       (seed 3 has no folder: missing)
    cartpole (3-D)  random   seeds 0-3: 30 40 50 50
                    alp-gmm  seeds 0-2: 60 70 80       seed 3 still running
                    riac     seeds 0-2: 30 40 60       seed 3 failed
mine/ (suite "mine"):
    toy       my-teacher seeds 0-2: 70 80 90 (budget 1000)
    cartpole  my-teacher seeds 0-2: 70 80 90 (budget 800, another test set)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from aclbench.harness.report import build_report
from aclbench.task_space import TaskSpace

SPACES = {
    "toy": {"stump_height": [0.0, 3.0], "obstacle_spacing": [0.0, 6.0]},
    "cartpole": {"length": [0.05, 5.0], "masspole": [0.01, 1.0], "force_mag": {"n": 4, "start": 1}},
    "line": {"x": [0.0, 1.0]},
}
FINALS = {
    ("toy", "random"): [10, 20, 30, 60],
    ("toy", "alp-gmm"): [40, 50, 60, 90],
    ("toy", "riac"): [20, 30, 40],
    ("cartpole", "random"): [30, 40, 50, 50],
    ("cartpole", "alp-gmm"): [60, 70, 80],
    ("cartpole", "riac"): [30, 40, 60],
    ("toy", "my-teacher"): [70, 80, 90],
    ("cartpole", "my-teacher"): [70, 80, 90],
}
REPS = 200
"""Bootstrap resamples in tests: enough for stable intervals, small enough to be quick."""
VERSIONS = {
    "aclbench": "0.1.0",
    "stable_baselines3": "2.9.0",
    "gymnasium": "1.4.0",
    "torch": "2.13.0",
    "numpy": "2.4.6",
    "python": "3.11.7",
}


def grid_tasks(space: TaskSpace, shift: float = 0.0) -> np.ndarray:
    """10 test tasks: the first two dims on a 5 x 2 grid (a 1-D space: 10 points), others at
    their low end."""
    low, high = space.low, space.high
    tasks = np.tile(low, (10, 1))
    if len(space) == 1:
        tasks[:, 0] = low[0] + (np.arange(10) + 0.5) / 10 * (high[0] - low[0]) + shift
        return tasks
    tasks[:, 0] = low[0] + (np.arange(10) % 5 + 0.5) / 5 * (high[0] - low[0]) + shift
    tasks[:, 1] = low[1] + (np.arange(10) // 5 + 0.5) / 2 * (high[1] - low[1])
    return tasks


def teacher_state(teacher: str, step: int, budget: int, space: TaskSpace) -> dict:
    """An inner state of the shapes ALP-GMM and RIAC log, drifting with training: ALP-GMM's
    Gaussians in task units on 2-D spaces, as unit-cube ``task + ALP`` vectors otherwise."""
    t, n = step / budget, len(space)
    if teacher == "alp-gmm":
        gaussians = []
        for k, centre in enumerate([0.2 + 0.5 * t, 0.7 - 0.4 * t]):
            unit_mean, unit_cov = np.full(n, centre), np.eye(n) * 0.01
            if n == 2:
                mean = space.from_unit(unit_mean).tolist()
                width = space.high - space.low
                cov = (unit_cov * np.outer(width, width)).tolist()
            else:
                mean = [*unit_mean, 0.1 * (k + 1)]
                cov = (np.eye(n + 1) * 0.01).tolist()
            gaussians.append({"mean": mean, "covariance": cov, "weight": 0.5, "alp": 0.1 * (k + 1)})
        return {"fitted_at": 10, "gaussians": gaussians}
    if teacher == "riac":  # task units, split in half on the first dimension
        middle = space.low.copy()
        middle[0] = (space.low[0] + space.high[0]) / 2
        upper = space.high.copy()
        upper[0] = middle[0]
        return {
            "regions": [
                {"low": space.low.tolist(), "high": upper.tolist(), "alp": 0.2 * t},
                {"low": middle.tolist(), "high": space.high.tolist(), "alp": 0.5},
            ]
        }
    return {}


def write_run(
    folder: Path,
    *,
    suite: str,
    env: str,
    teacher: str,
    seed: int,
    final: float,
    budget: int = 1000,
    steps: list[int] | None = None,
    state: str = "done",
    test_shift: float = 0.0,
    **config_overrides: object,
) -> None:
    """One run folder in the runner's format, with a straight-line curve to ``final``;
    ``config_overrides`` replace entries of config.toml (``teacher_params``, ``student``...)."""
    folder.mkdir(parents=True)
    space = TaskSpace.from_config(SPACES[env])
    rng = np.random.default_rng(seed)
    steps = steps if steps is not None else list(range(0, budget + 1, 250))
    if state == "running":
        steps = steps[:2]
    config = {
        "suite": suite,
        "env": env,
        "env_kwargs": {},
        "teacher": teacher,
        "teacher_params": {},
        "student": "ppo",
        "student_params": {"n_steps": 64},
        "seed": seed,
        "steps": budget,
        "eval_interval": 250,
        "device": "cpu",
        **config_overrides,
    }
    (folder / "config.toml").write_text(tomli_w.dumps(config))
    status = {
        "state": state,
        "started": "2025-01-01T00:00:00",
        "wall_s": 12.5 + seed,
        "versions": VERSIONS,
        "device": "cpu",
        "git_commit": "abc1234",
        "host": "testhost",
        "cpu": "Test Processor, AVX2",
    }
    if state != "running":
        status["finished"] = "2025-01-01T00:01:00"
    if state == "failed":
        status["error"] = "RuntimeError: simulated crash"
        status["traceback"] = "Traceback (most recent call last):\nRuntimeError: simulated crash"
        steps = steps[:3]
    (folder / "status.json").write_text(json.dumps(status))
    pct = [final * s / budget for s in steps]
    rows = [
        f"{s},{i * 10},{s / 100:.2f},{2 * p:.6f},{p:.6f}"
        for i, (s, p) in enumerate(zip(steps, pct))
    ]
    (folder / "eval.csv").write_text(
        "env_steps,episodes,wall_s,mean_return,mastered_pct\n" + "\n".join(rows) + "\n"
    )
    tests = grid_tasks(space, test_shift)
    names = list(space.names)
    (folder / "test_tasks.csv").write_text(
        "task_index,"
        + ",".join(names)
        + "\n"
        + "\n".join(f"{i}," + ",".join(f"{v:g}" for v in t) for i, t in enumerate(tests))
        + "\n"
    )
    lines = ["env_steps,task_index,return,mastered"]
    for s, p in zip(steps, pct):
        lines += [f"{s},{i},{2 * p:.3f},{i < round(p / 10)}" for i in range(10)]
    (folder / "eval_tasks.csv").write_text("\n".join(lines) + "\n")
    (folder / "task_space.json").write_text(json.dumps(space.to_config()))
    n_eps = 120
    ep_steps = np.linspace(5, steps[-1], n_eps).astype(int)
    unit = rng.random((n_eps, len(names)))
    if teacher != "random":  # drift towards the high end over training
        unit = np.clip(unit * 0.5 + (ep_steps / budget)[:, None] * 0.5, 0, 1)
    tasks = space.from_unit(unit)
    returns = 200 * unit[:, 0] - 50
    task_rows = [
        f"{e},{s}," + ",".join(f"{v:.4f}" for v in t) + f",{r:.3f}"
        for e, (s, t, r) in enumerate(zip(ep_steps, tasks, returns))
    ]
    (folder / "tasks.csv").write_text(
        "episode,env_steps," + ",".join(names) + ",return\n" + "\n".join(task_rows) + "\n"
    )
    log = [
        {"env_steps": s, "episodes": i * 10, "state": teacher_state(teacher, s, budget, space)}
        for i, s in enumerate(steps)
    ]
    (folder / "teacher_log.jsonl").write_text("\n".join(json.dumps(e) for e in log) + "\n")


@dataclass(frozen=True)
class Synthetic:
    """The two folders, and what the tests need to know about them."""

    baseline: Path
    mine: Path
    finals: dict[tuple[str, str], list[int]] = field(default_factory=lambda: FINALS)
    reps: int = REPS


@pytest.fixture
def run_writer() -> Callable[..., None]:
    """:func:`write_run`, for tests that write their own run folders."""
    return write_run


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Synthetic:
    root = tmp_path_factory.mktemp("results")
    baseline, mine = root / "baseline", root / "mine"
    for (env, teacher), finals in FINALS.items():
        out, suite = (mine, "mine") if teacher == "my-teacher" else (baseline, "demo")
        for seed, final in enumerate(finals):
            kwargs: dict = {}
            if (env, teacher, seed) == ("toy", "random", 1):
                kwargs["steps"] = [0, 300, 600, 1000]
            if (env, teacher) == ("cartpole", "my-teacher"):
                kwargs.update(budget=800, steps=[0, 200, 400, 600, 800], test_shift=0.1)
            path = out / suite / env / teacher / f"seed-{seed}"
            write_run(path, suite=suite, env=env, teacher=teacher, seed=seed, final=final, **kwargs)
    for teacher, state in (("alp-gmm", "running"), ("riac", "failed")):
        path = baseline / "demo" / "cartpole" / teacher / "seed-3"
        write_run(
            path, suite="demo", env="cartpole", teacher=teacher, seed=3, final=90, state=state
        )
    return Synthetic(baseline, mine)


@pytest.fixture(scope="session")
def report_dir(synthetic: Synthetic, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of both synthetic folders, built once for all tests."""
    out = tmp_path_factory.mktemp("report") / "report"
    build_report([synthetic.baseline, synthetic.mine], out, reps=synthetic.reps)
    return out
