"""Executors: where the runs of a suite execute. The default is a pool of local processes.

An executor takes planned runs and an output folder, runs each with
:func:`aclbench.harness.runner.run` (which never raises: failures land in ``status.json``) and
returns each run's final status. Every run writes only its own folder, so executors need no
coordination beyond handing out configs.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

from tqdm import tqdm

from aclbench.harness.config import RunConfig
from aclbench.harness.results import read_status, write_status
from aclbench.harness.suite import PlannedRun


def _run_in_worker(config: dict[str, Any], run_dir: str) -> dict[str, Any]:
    from aclbench.harness.runner import run

    return run(RunConfig.from_dict(config), Path(run_dir))


def _init_pool_worker(gpus: Sequence[str], started: Synchronized[int]) -> None:
    """Pool initializer. Ctrl-C reaches every process of the terminal's group: an idle worker
    ignores it (dying, it would break the pool), and a busy one hands it to its run. Where the
    machine has GPUs, the k-th worker sees only GPU ``k mod n`` (``CUDA_VISIBLE_DEVICES``,
    set before CUDA is initialized), so concurrent GPU runs spread over every GPU instead of
    stacking on GPU 0."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if gpus:
        with started.get_lock():
            index = started.value
            started.value += 1
        os.environ["CUDA_VISIBLE_DEVICES"] = gpus[index % len(gpus)]


def visible_gpus() -> list[str]:
    """The GPUs this process may use, as ``CUDA_VISIBLE_DEVICES`` names them (indices or
    UUIDs); torch is asked only where that variable is unset."""
    names = os.environ.get("CUDA_VISIBLE_DEVICES")
    if names is not None:
        return [name.strip() for name in names.split(",") if name.strip()]
    import torch

    return [str(index) for index in range(torch.cuda.device_count())]


def _run_in_pool_worker(config: dict[str, Any], run_dir: str) -> dict[str, Any]:
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a starting run stops on Ctrl-C
    try:
        return _run_in_worker(config, run_dir)  # the run checkpoints and stops on Ctrl-C
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class _Tally:
    """Progress bar and final statuses of a suite's runs, whichever executor runs them."""

    def __init__(self, total: int, out: Path) -> None:
        self.out = out
        self.statuses: dict[Path, dict[str, Any]] = {}
        self.bar = tqdm(total=total, desc="runs", unit="run")

    def finished(self, planned: PlannedRun, result: Any, error: BaseException | None) -> None:
        if error is not None:  # the worker itself died (killed: out of memory?), not the run
            # Interrupted, not failed: like a run stopped by a signal, a rerun of the suite
            # resumes it from its last checkpoint (as Ray's retry of a lost task does).
            status = {**read_status(self.out / planned.path), "state": "interrupted"}
            status["error"] = f"worker died: {type(error).__name__}: {error}"
            (self.out / planned.path).mkdir(parents=True, exist_ok=True)  # if it never started
            write_status(self.out / planned.path, status)
            tqdm.write(f"WORKER DIED {planned.path}: {error}; a rerun resumes it")
        else:
            status = result
        self.statuses[planned.path] = status
        self.bar.update(1)
        if status["state"] == "failed":
            tqdm.write(f"FAILED {planned.path}: {status.get('error')}")
        self.bar.set_postfix(failed=sum(s["state"] == "failed" for s in self.statuses.values()))

    def close(self) -> dict[Path, dict[str, Any]]:
        self.bar.close()
        return self.statuses


class Terminated(KeyboardInterrupt):
    """SIGTERM reached the suite's process: it stops as on Ctrl-C (exit status 143, not 130)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


def _stop_workers() -> None:
    """Hand the stop to every worker: SIGTERM from ``timeout`` or ``kill`` reaches this process
    alone, and a busy worker would otherwise finish its whole run. A busy worker's run
    checkpoints and stops on SIGINT; an idle one ignores it (a second SIGINT after a terminal's
    Ctrl-C changes nothing)."""
    for child in multiprocessing.active_children():
        if child.pid is not None:
            os.kill(child.pid, signal.SIGINT)


def run_local(
    runs: Sequence[PlannedRun], out: Path, *, workers: int | None = None
) -> dict[Path, dict[str, Any]]:
    """Run ``runs`` in ``workers`` fresh processes (default: one per core), showing progress.

    Processes are started with ``spawn`` so each run gets a clean interpreter (no inherited
    torch threads or CUDA state). A run is handed to the pool only when a worker is free, so
    that on Ctrl-C no run waits in the pool's queue to start after it: the running runs (which
    get the signal too) checkpoint and stop, the others never start, and KeyboardInterrupt is
    raised again. SIGTERM to this process stops the suite the same way (as :class:`Terminated`).
    A worker killed from outside (out of memory) breaks the pool and with it every run in
    flight, which are recorded as interrupted (a rerun resumes them from their checkpoints);
    the runs not yet started go on in a new pool.
    """
    tally = _Tally(len(runs), out)
    todo = deque(runs)
    in_main_thread = threading.current_thread() is threading.main_thread()  # signals go there
    on_sigterm = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
    try:
        while todo:
            _run_pool(todo, out, workers or default_workers(), tally)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, on_sigterm)
        statuses = tally.close()
    return statuses


def _run_pool(todo: deque[PlannedRun], out: Path, workers: int, tally: _Tally) -> None:
    """Run the runs of ``todo`` in one process pool, taking each off ``todo`` as it is handed
    to a worker, until none is left or the pool breaks (the runs in flight then fail)."""
    context = multiprocessing.get_context("spawn")
    init_args = (visible_gpus(), context.Value("i", 0))
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_pool_worker, initargs=init_args
    ) as pool:
        running: dict[Future[dict[str, Any]], PlannedRun] = {}
        broken = False
        try:
            while True:
                while todo and len(running) < workers and not broken:
                    config, run_dir = todo[0].config.to_dict(), str(out / todo[0].path)
                    try:
                        future = pool.submit(_run_in_pool_worker, config, run_dir)
                    except BrokenProcessPool:
                        broken = True
                    else:
                        running[future] = todo.popleft()
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    error = future.exception()
                    broken = broken or isinstance(error, BrokenProcessPool)
                    tally.finished(running.pop(future), None if error else future.result(), error)
        except KeyboardInterrupt:
            _stop_workers()
            raise


def run_ray(
    runs: Sequence[PlannedRun],
    out: Path,
    *,
    address: str | None = None,
    cpus_per_run: float = 1.0,
    gpus_per_run: float = 0.0,
    max_retries: int = 3,
    num_cpus: int | None = None,
) -> dict[Path, dict[str, Any]]:
    """Run ``runs`` as Ray tasks, each asking ``cpus_per_run`` CPUs and ``gpus_per_run`` GPUs.

    With ``address`` (``"auto"`` or ``"host:port"``) the runs go to an existing cluster, whose
    nodes must all see ``out`` (a shared file system). Without it, a private Ray instance is
    started on this machine, bound to the loopback address and without a dashboard, so nothing
    is exposed to other machines; it gets ``num_cpus`` CPUs (default: all cores). A task
    whose worker process dies is retried ``max_retries`` times; a run that fails by itself is
    recorded as failed, not retried.
    """
    import ray

    if address is None:
        ray.init(
            num_cpus=num_cpus or default_workers(),
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            log_to_driver=False,
        )
    else:
        ray.init(address=address, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=cpus_per_run, num_gpus=gpus_per_run, max_retries=max_retries)
        task = remote(_run_in_worker)
        pending = {
            task.remote(planned.config.to_dict(), str(Path(out).resolve() / planned.path)): planned
            for planned in runs
        }
        tally = _Tally(len(runs), out)
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            planned = pending.pop(done[0])
            try:
                tally.finished(planned, ray.get(done[0]), None)
            except ray.exceptions.RayError as err:
                tally.finished(planned, None, err)
        return tally.close()
    finally:
        ray.shutdown()
