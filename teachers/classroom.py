"""A classroom for AGAIN: the curricula and test results of earlier ALP-GMM students.

Portelas, Romac, Hofmann and Oudeyer (2020), "Meta Automatic Curriculum Learning": a classroom
holds, per earlier student, its test-score vectors (to match a new student to it), its final
score (to pick the best of the matches) and its curriculum, the sequence of ALP-GMM mixtures it
was taught with, keeping only the Gaussians whose absolute learning progress exceeds a
threshold (where the student was learning).

Here a classroom is a folder of aclbench run folders of ``alp-gmm`` (any depth: a suite's output
folder will do). They are read as plain files in the run-folder format that
:mod:`aclbench.harness.results` documents, not through the harness, which a teacher must not
import (the harness depends on the teachers): ``config.toml`` (the teacher's name),
``status.json`` (runs not ``done`` are left out), ``task_space.json``, ``test_tasks.csv``,
``eval.csv`` and ``eval_tasks.csv`` (the test returns), ``teacher_log.jsonl`` (the mixture at
each evaluation, in task units, with each Gaussian's ALP), ``teacher_params.json`` (its
``fit_rate`` and ``return_bounds``) and ``tasks.csv`` (the training returns); the three large
ones may be gzipped (``tasks.csv.gz``...), as stored runs are.

The log holds the mixture of each evaluation, not of every refit, so a curriculum has one
mixture per evaluation: a run evaluated every 1,000 episodes with ALP-GMM refitting every 250
gives every fourth mixture.
"""

from __future__ import annotations

import gzip
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import multivariate_normal

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers.lp_common import unit_to_task_affine

CLASSROOM_TEACHER = "alp-gmm"
EXPERT_RETURN_WINDOW = 50
"""Training returns, the last of a mixture's period, averaged into its target return (as the
authors' code does)."""


@dataclass(frozen=True)
class ExpertMixture:
    """The high-ALP Gaussians of one logged ALP-GMM mixture, in the unit cube of the space.

    Attributes:
        fitted_at: the episode the mixture was fitted at.
        means: ``k`` x ``n_dims``.
        covariances: ``k`` x ``n_dims`` x ``n_dims``.
        alps: ``k``, each Gaussian's absolute learning progress.
        target_return: the earlier student's mean training return on the tasks of these
            Gaussians while the mixture was in use (AGAIN-R moves on once the new student
            matches it).
    """

    fitted_at: int
    means: NDArray[np.float64]
    covariances: NDArray[np.float64]
    alps: NDArray[np.float64]
    target_return: float


@dataclass(frozen=True)
class ClassroomStudent:
    """One earlier student.

    Attributes:
        name: its run folder, relative to the classroom folder.
        test_returns: ``n_evaluations`` x ``n_tests``, the returns of every evaluation after
            training started, in order.
        curriculum: its mixtures, in order, those left with no high-ALP Gaussian omitted.
    """

    name: str
    test_returns: NDArray[np.float64]
    curriculum: tuple[ExpertMixture, ...]

    @property
    def final_score(self) -> float:
        """The mean test return of its last evaluation."""
        return float(self.test_returns[-1].mean())


@dataclass(frozen=True)
class Classroom:
    """The earlier students of one task space and test set.

    Attributes:
        folder: where they were read from.
        test_tasks: ``n_tests`` x ``n_dims``, the test set every student was evaluated on.
        return_bounds: the ``return_bounds`` their ALP-GMM scaled returns with (``None``: raw).
        students: one per finished run.
    """

    folder: str
    test_tasks: NDArray[np.float64]
    return_bounds: tuple[float, float] | None
    students: tuple[ClassroomStudent, ...]


def read_classroom(
    folder: str | os.PathLike[str], task_space: TaskSpace, alp_threshold: float
) -> Classroom:
    """Read every finished ``alp-gmm`` run under ``folder``; raises ConfigError if there is
    none, or if one is of another teacher, task space, test set or return scale."""
    root = Path(folder)
    if not root.is_dir():
        raise ConfigError(f"again: classroom {str(folder)!r} is not a folder")
    runs = sorted(path.parent for path in root.rglob("status.json"))
    runs = [run for run in runs if _read_json(run / "status.json").get("state") == "done"]
    if not runs:
        raise ConfigError(
            f"again: classroom {str(folder)!r} holds no finished run; build it with "
            f"'aclbench run --teacher {CLASSROOM_TEACHER}' or a suite of {CLASSROOM_TEACHER} runs"
        )
    test_tasks: NDArray[np.float64] | None = None
    bounds: list[tuple[float, float] | None] = []
    students = []
    for run in runs:
        name = str(run.relative_to(root))
        _check_run(run, name, task_space)
        tests = pd.read_csv(run / "test_tasks.csv")[list(task_space.names)].to_numpy(float)
        if test_tasks is None:
            test_tasks = tests
        elif tests.shape != test_tasks.shape or not np.allclose(tests, test_tasks):
            raise ConfigError(f"again: classroom run {name!r} has another test set than the rest")
        params = _read_json(run / "teacher_params.json")
        if "fit_rate" not in params:
            raise ConfigError(
                f"again: classroom run {name!r}: its teacher_params.json has no fit_rate"
            )
        bound = params.get("return_bounds")
        bounds.append(None if bound is None else (float(bound[0]), float(bound[1])))
        curriculum = _curriculum(run, task_space, alp_threshold, int(params["fit_rate"]))
        students.append(ClassroomStudent(name, _test_returns(run), curriculum))
    if len(set(bounds)) > 1:
        raise ConfigError(f"again: classroom {str(folder)!r} mixes return_bounds {set(bounds)}")
    assert test_tasks is not None
    return Classroom(str(folder), test_tasks, bounds[0], tuple(students))


def _stored(path: Path) -> Path:
    """``path``, or its gzipped copy ``path.gz`` where only that is left (stored runs are
    packed so)."""
    packed = path.with_name(path.name + ".gz")
    return packed if not path.exists() and packed.exists() else path


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


CLASSROOM_FILES = (
    "task_space.json",
    "test_tasks.csv",
    "eval.csv",
    "eval_tasks.csv",
    "teacher_log.jsonl",
    "teacher_params.json",
    "tasks.csv",
)
"""What a classroom run must hold (the three large logs may be gzipped)."""


def _check_run(run: Path, name: str, task_space: TaskSpace) -> None:
    missing = [file for file in CLASSROOM_FILES if not _stored(run / file).exists()]
    if missing:
        raise ConfigError(
            f"again: classroom run {name!r} lacks {', '.join(missing)} (stored baselines of the "
            f"simulated benches leave tasks.csv out): rerun it with "
            f"'aclbench run --config {run / 'config.toml'}'"
        )
    teacher = tomllib.loads((run / "config.toml").read_text()).get("teacher")
    if teacher != CLASSROOM_TEACHER:
        raise ConfigError(
            f"again: classroom run {name!r} was taught by {teacher!r}; a classroom holds "
            f"{CLASSROOM_TEACHER!r} runs only"
        )
    space = TaskSpace.from_config(_read_json(run / "task_space.json"))
    if space != task_space:
        raise ConfigError(
            f"again: classroom run {name!r} has task space {space!r}, not {task_space!r}"
        )


def _test_returns(run: Path) -> NDArray[np.float64]:
    """``n_evaluations`` x ``n_tests``: the evaluations made after training started."""
    evals = pd.read_csv(run / "eval.csv")
    steps = evals.loc[evals["episodes"] > 0, "env_steps"]
    per_task = pd.read_csv(_stored(run / "eval_tasks.csv"))
    table = per_task.pivot(index="env_steps", columns="task_index", values="return")
    return table.loc[steps].sort_index().to_numpy(float)


def _curriculum(
    run: Path, space: TaskSpace, alp_threshold: float, fit_rate: int
) -> tuple[ExpertMixture, ...]:
    """The run's logged mixtures, each cut to its Gaussians of ALP above ``alp_threshold``."""
    tasks = pd.read_csv(_stored(run / "tasks.csv"))
    offset, span = unit_to_task_affine(space)
    mixtures, seen = [], set()
    log = _stored(run / "teacher_log.jsonl")
    text = gzip.decompress(log.read_bytes()).decode() if log.suffix == ".gz" else log.read_text()
    for line in text.splitlines():
        state = json.loads(line)["state"]
        fitted_at, gaussians = state.get("fitted_at"), state.get("gaussians", [])
        if fitted_at is None or fitted_at in seen or not gaussians:
            continue
        seen.add(fitted_at)
        kept = [i for i, g in enumerate(gaussians) if g["alp"] > alp_threshold]
        if not kept:
            continue
        period = tasks[(tasks["episode"] >= fitted_at) & (tasks["episode"] < fitted_at + fit_rate)]
        target = _target_return(period, space, gaussians, kept)
        means = np.array([gaussians[i]["mean"] for i in kept])
        covariances = np.array([gaussians[i]["covariance"] for i in kept])
        mixtures.append(
            ExpertMixture(
                fitted_at=int(fitted_at),
                means=(means - offset) / span,
                covariances=covariances / np.outer(span, span),
                alps=np.array([gaussians[i]["alp"] for i in kept]),
                target_return=target,
            )
        )
    return tuple(mixtures)


def _target_return(
    period: pd.DataFrame, space: TaskSpace, gaussians: list[dict[str, Any]], kept: list[int]
) -> float:
    """The mean of the last returns of the period's episodes whose task most likely came from
    a kept Gaussian (the log does not say which Gaussian each task came from); the mean of the
    period's last returns if none did."""
    returns = period["return"].to_numpy(float)
    if len(returns) == 0:
        return 0.0
    tasks = period[list(space.names)].to_numpy(float)
    log_density = np.array(
        [
            np.log(max(g["weight"], 1e-300))
            + multivariate_normal.logpdf(tasks, g["mean"], g["covariance"], allow_singular=True)
            for g in gaussians
        ]
    ).reshape(len(gaussians), len(tasks))
    from_kept = np.isin(np.argmax(log_density, axis=0), kept)
    chosen = returns[from_kept] if from_kept.any() else returns
    return float(np.mean(chosen[-EXPERT_RETURN_WINDOW:]))
