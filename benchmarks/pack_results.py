"""Compress the large logs of finished runs, for results that are stored in git.

Replaces ``tasks.csv``, ``eval_tasks.csv`` and ``teacher_log.jsonl`` of every finished run
below a folder by gzip files (``tasks.csv.gz``...), which ``aclbench report`` reads in their
place (``harness.report.runs.packed``) and pandas reads as they are. The gzip header carries no
file name or time, so packing the same run twice gives the same bytes and git sees no change.
Runs that are not done are left alone: their runner may still append to the plain files.

    python -m benchmarks.pack_results results/baselines
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

LOGS = ("tasks.csv", "eval_tasks.csv", "teacher_log.jsonl")


def is_done(run_dir: Path) -> bool:
    try:
        return json.loads((run_dir / "status.json").read_text()).get("state") == "done"
    except (OSError, ValueError, AttributeError):
        return False


def pack(path: Path) -> int:
    """Replace ``path`` by ``path.gz`` (written whole, then renamed); the bytes saved."""
    data = path.read_bytes()
    target = path.with_name(path.name + ".gz")
    partial = target.with_name(target.name + ".partial")
    with partial.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as file:
        file.write(data)
    os.replace(partial, target)
    path.unlink()
    return len(data) - target.stat().st_size


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder of run folders (searched recursively)")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        print(f"pack_results: error: {args.root} is not a folder", file=sys.stderr)
        return 2
    packed = saved = 0
    for config in sorted(args.root.rglob("config.toml")):
        run_dir = config.parent
        if not is_done(run_dir):
            continue
        for name in LOGS:
            if (run_dir / name).is_file():
                saved += pack(run_dir / name)
                packed += 1
    print(f"packed {packed} files below {args.root}, {saved / 1e6:.1f} MB saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
