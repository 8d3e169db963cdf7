"""Executors: where the runs of a suite execute. The default is a pool of local processes.

An executor takes planned runs and an output folder, runs each with
:func:`benchmarks.runner.run` (which never raises: failures land in ``status.json``) and
returns each run's final status. Every run writes only its own folder, so executors need no
coordination beyond handing out configs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from tqdm import tqdm

from benchmarks.config import RunConfig
from benchmarks.results import read_status, write_status
from benchmarks.suite import PlannedRun


def _run_in_worker(config: dict[str, Any], run_dir: str) -> dict[str, Any]:
    from benchmarks.runner import run

    return run(RunConfig.from_dict(config), Path(run_dir))


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def run_local(
    runs: Sequence[PlannedRun], out: Path, *, workers: int | None = None
) -> dict[Path, dict[str, Any]]:
    """Run ``runs`` in ``workers`` fresh processes (default: one per core), showing progress.

    Processes are started with ``spawn`` so each run gets a clean interpreter (no inherited
    torch threads or CUDA state).
    """
    workers = workers or default_workers()
    statuses: dict[Path, dict[str, Any]] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {
            pool.submit(_run_in_worker, planned.config.to_dict(), str(out / planned.path)): planned
            for planned in runs
        }
        with tqdm(total=len(futures), desc="runs", unit="run") as bar:
            for future in as_completed(futures):
                planned = futures[future]
                try:
                    status = future.result()
                except Exception as err:  # noqa: BLE001 - a worker died: record, go on
                    status = {**read_status(out / planned.path), "state": "failed"}
                    status["error"] = f"worker process died: {type(err).__name__}: {err}"
                    write_status(out / planned.path, status)
                statuses[planned.path] = status
                bar.update(1)
                if status["state"] == "failed":
                    tqdm.write(f"FAILED {planned.path}: {status.get('error')}")
                bar.set_postfix(failed=sum(s["state"] == "failed" for s in statuses.values()))
    return statuses
