"""The results store: the files of one run folder, always written atomically.

A run folder holds (all plain files that pandas or a text editor reads):

- ``config.toml``: the resolved :class:`~benchmarks.config.RunConfig`;
- ``status.json``: ``{"state": "running" | "done" | "failed", ...}`` with versions, device,
  git commit, wall time, and the error and traceback of a failed run;
- ``eval.csv``: one row per evaluation: ``env_steps, episodes, wall_s, mean_return,
  mastered_pct`` (``mastered_pct`` in 0..100);
- ``eval_tasks.csv``: one row per evaluation and test task:
  ``env_steps, task_index, return, mastered``;
- ``test_tasks.csv`` and ``task_space.json``: the fixed test set and the task space;
- ``tasks.csv``: every training episode: ``episode, env_steps, <task dimensions>, return``;
- ``teacher_log.jsonl``: per evaluation, the teacher's ``inner_state()``;
- ``student_params.json``: every hyperparameter of the student, its defaults included;
- ``teacher_params.json``: every parameter of the teacher, its defaults and preset values
  included;
- ``teacher_state.pkl`` and the student's files (``model.zip``...) at the end.

Every file is written to a temporary name and renamed, so a run killed at any moment leaves
the previous complete version of each file, never a half-written one.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import platform
import socket
import subprocess
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace

STATUS_FILE = "status.json"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename: ``path`` holds the old
    data or the new, never part of either."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data.encode() if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk, a kill: the old file stays whole, no stray temp file
        tmp.unlink(missing_ok=True)
        raise


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    write_atomic(path, frame.to_csv(index=False))


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def read_status(run_dir: Path) -> dict[str, Any]:
    """The run's status, ``{"state": "missing"}`` where it has none."""
    try:
        return json.loads((Path(run_dir) / STATUS_FILE).read_text())
    except (OSError, json.JSONDecodeError):
        return {"state": "missing"}


def write_status(run_dir: Path, status: dict[str, Any]) -> None:
    write_atomic(Path(run_dir) / STATUS_FILE, json.dumps(status, indent=2))


def provenance(device: str) -> dict[str, Any]:
    """Versions, device, git commit and host, as the report's provenance table shows them."""
    versions = {"python": platform.python_version()}
    for package in ("aclbench", "stable_baselines3", "gymnasium", "torch", "numpy"):
        try:
            versions[package] = version(package.replace("_", "-"))
        except PackageNotFoundError:
            versions[package] = "not installed"
    return {
        "versions": versions,
        "device": device,
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "git_commit": _git_commit(),
        "host": socket.gethostname(),
        "cpu": _cpu(),
    }


def _cpu() -> str:
    """The processor and the instruction set of torch's CPU kernels: training's float results,
    and so a seed's run, can differ from one processor to another."""
    import torch  # here: reading results needs no torch

    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()  # Linux
    except OSError:
        lines = []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = names[0] if names else platform.processor() or platform.machine()
    return f"{model}, {torch.backends.cpu.get_cpu_capability()}"


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


FLUSH_INTERVAL_S = 10.0
"""An evaluation rewrites the run's files only this long after the last write: each write is
synced to disk, which made up a third of a short run's time (a simulated-bench run of seconds
evaluates 10 to 20 times). Checkpoints, failures and the run's end always write."""


class RunRecorder:
    """Collects a run's rows in memory and rewrites its files atomically at every flush
    (at a checkpoint, at the end, and after an evaluation at most every
    :data:`FLUSH_INTERVAL_S` seconds).

    Args:
        run_dir: the run's folder (created).
        task_space: names the task columns.
        test_tasks: ``n_tests`` x ``n_dims``, the fixed held-out tasks.
        mastered_threshold: a test return strictly above it counts as mastered.
    """

    def __init__(
        self,
        run_dir: Path,
        task_space: TaskSpace,
        test_tasks: NDArray[np.float64],
        mastered_threshold: float,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.task_space = task_space
        self.test_tasks = test_tasks
        self.mastered_threshold = mastered_threshold
        self.started = time.monotonic()
        self.episodes: list[list[float]] = []
        self.evaluations: list[dict[str, float]] = []
        self.eval_tasks: list[pd.DataFrame] = []
        self.teacher_log: list[str] = []
        self._flushed_at = -math.inf
        tests = pd.DataFrame(test_tasks, columns=list(task_space.names))
        tests.insert(0, "task_index", np.arange(len(test_tasks)))
        write_csv(self.run_dir / "test_tasks.csv", tests)
        write_atomic(self.run_dir / "task_space.json", json.dumps(task_space.to_config()))

    @property
    def wall_s(self) -> float:
        return time.monotonic() - self.started

    def add_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        self.episodes.append([len(self.episodes), env_steps, *task.tolist(), episode_return])

    def add_evaluation(
        self, env_steps: int, returns: NDArray[np.float64], teacher_state: dict[str, Any]
    ) -> dict[str, float]:
        mastered = returns > self.mastered_threshold
        row = {
            "env_steps": env_steps,
            "episodes": len(self.episodes),
            "wall_s": round(self.wall_s, 3),
            "mean_return": float(np.mean(returns)),
            "mastered_pct": 100.0 * float(np.mean(mastered)),
        }
        self.evaluations.append(row)
        self.eval_tasks.append(
            pd.DataFrame(
                {
                    "env_steps": env_steps,
                    "task_index": np.arange(len(returns)),
                    "return": returns,
                    "mastered": mastered,
                }
            )
        )
        entry = {"env_steps": env_steps, "episodes": len(self.episodes), "state": teacher_state}
        self.teacher_log.append(json.dumps(entry))
        if time.monotonic() - self._flushed_at >= FLUSH_INTERVAL_S:
            self.flush()
        return row

    def flush(self) -> None:
        self._flushed_at = time.monotonic()
        columns = ["episode", "env_steps", *self.task_space.names, "return"]
        write_csv(self.run_dir / "tasks.csv", pd.DataFrame(self.episodes, columns=columns))
        write_csv(self.run_dir / "eval.csv", pd.DataFrame(self.evaluations))
        if self.eval_tasks:
            write_csv(self.run_dir / "eval_tasks.csv", pd.concat(self.eval_tasks))
        write_atomic(
            self.run_dir / "teacher_log.jsonl", "".join(f"{line}\n" for line in self.teacher_log)
        )

    def restore(self, episodes: int, evaluations: int, wall_s: float) -> None:
        """Take back the rows of an interrupted run up to its checkpoint: the first
        ``episodes`` training episodes and ``evaluations`` evaluations. Rows written after
        the checkpoint are dropped, so the resumed run has no gap and no duplicate."""
        tasks = pd.read_csv(self.run_dir / "tasks.csv")
        self.episodes = tasks.iloc[:episodes].values.tolist()
        for row in self.episodes:
            row[0], row[1] = int(row[0]), int(row[1])
        evals = pd.read_csv(self.run_dir / "eval.csv").iloc[:evaluations]
        self.evaluations = evals.to_dict("records")
        per_task = pd.read_csv(self.run_dir / "eval_tasks.csv")
        kept = per_task[per_task["env_steps"].isin(evals["env_steps"])]
        self.eval_tasks = [frame for _, frame in kept.groupby("env_steps", sort=True)]
        lines = (self.run_dir / "teacher_log.jsonl").read_text().splitlines()
        self.teacher_log = lines[:evaluations]
        self.started = time.monotonic() - wall_s
        self.flush()

    def save_student_params(self, params: dict[str, Any]) -> None:
        """Every hyperparameter the student trains with, its defaults included: the saved
        config holds only the overrides, and the defaults may change between versions."""
        self._save_params("student_params.json", params)

    def save_teacher_params(self, params: dict[str, Any]) -> None:
        """Every parameter the teacher runs with, its defaults and preset values included."""
        self._save_params("teacher_params.json", params)

    def _save_params(self, name: str, params: dict[str, Any]) -> None:
        text = json.dumps(params, indent=2, sort_keys=True, default=repr)
        write_atomic(self.run_dir / name, text + "\n")

    def save_teacher(self, state: dict[str, Any]) -> None:
        write_atomic(self.run_dir / "teacher_state.pkl", pickle.dumps(state))
