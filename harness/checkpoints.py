"""A run's checkpoint: the folder ``checkpoint/`` in its run folder, replaced atomically.

It holds the harness's state (``harness.pkl``: step and episode counters, evaluation schedule,
wall time, the teacher's ``state_dict``) and the student's own files (weights, optimizer,
replay buffer, generators). A new checkpoint is written to ``checkpoint.tmp/`` and swapped in
by renames, so a run killed at any moment leaves one complete checkpoint: ``checkpoint/``, or
``checkpoint.old/`` if it died between the two renames. Its files are flushed to disk before
the renames, so that a machine that loses power keeps a complete checkpoint too, not renamed
folders of files the disk never got.
"""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

NAME = "checkpoint"
HARNESS_FILE = "harness.pkl"


def write_checkpoint(
    run_dir: Path, state: dict[str, Any], save_student: Callable[[Path], None]
) -> None:
    """Write ``state`` and the student's files as the run's new checkpoint."""
    run_dir = Path(run_dir)
    tmp, current, old = (run_dir / f"{NAME}{suffix}" for suffix in (".tmp", "", ".old"))
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    save_student(tmp)
    (tmp / HARNESS_FILE).write_bytes(pickle.dumps(state))
    for path in sorted(tmp.rglob("*")):
        _sync(path)
    _sync(tmp)
    shutil.rmtree(old, ignore_errors=True)
    if current.exists():
        current.rename(old)
    tmp.rename(current)
    _sync(run_dir)  # the renames themselves
    shutil.rmtree(old, ignore_errors=True)


def _sync(path: Path) -> None:
    """Flush a file's data, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def latest_checkpoint(run_dir: Path) -> tuple[dict[str, Any], Path] | None:
    """The harness state and folder of the run's last complete checkpoint, if any."""
    for name in (NAME, f"{NAME}.old"):
        folder = Path(run_dir) / name
        if (folder / HARNESS_FILE).exists():
            return pickle.loads((folder / HARNESS_FILE).read_bytes()), folder
    return None


def remove_checkpoints(run_dir: Path) -> None:
    for suffix in ("", ".tmp", ".old"):
        shutil.rmtree(Path(run_dir) / f"{NAME}{suffix}", ignore_errors=True)
