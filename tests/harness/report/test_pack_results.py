"""``python -m benchmarks.pack_results``: stored runs keep their logs gzip-compressed, and the
report reads them as it reads the plain files."""

import gzip
import json

import pandas as pd

from aclbench.harness.cli import main
from aclbench.harness.report.runs import load_results
from benchmarks import pack_results


def test_packed_logs_read_back_the_same_and_unfinished_runs_are_left_alone(tmp_path):
    args = ["run", "--env", "toy", "--teacher", "alp-gmm", "--student", "simulated"]
    assert main([*args, "--steps", "600", "--out", str(tmp_path / "r" / "a")]) == 0
    running = tmp_path / "r" / "b"
    assert main([*args, "--steps", "300", "--out", str(running)]) == 0
    status = json.loads((running / "status.json").read_text())
    (running / "status.json").write_text(json.dumps({**status, "state": "running"}))
    before = {r.path.name: (r.tasks(), r.teacher_log()) for r in load_results([tmp_path]).runs}

    assert pack_results.main([str(tmp_path)]) == 0
    done = tmp_path / "r" / "a"
    assert sorted(p.name for p in done.glob("*.gz")) == [
        "eval_tasks.csv.gz",
        "tasks.csv.gz",
        "teacher_log.jsonl.gz",
    ]
    assert not (done / "tasks.csv").exists() and (running / "tasks.csv").exists()
    first = (done / "tasks.csv.gz").read_bytes()
    after = {r.path.name: (r.tasks(), r.teacher_log()) for r in load_results([tmp_path]).runs}
    for name, (tasks, log) in before.items():
        pd.testing.assert_frame_equal(after[name][0], tasks)
        assert after[name][1] == log and len(log) > 0

    (done / "tasks.csv").write_bytes(gzip.decompress(first))  # packed again: the same bytes
    (done / "tasks.csv.gz").unlink()
    assert pack_results.main([str(tmp_path)]) == 0
    assert (done / "tasks.csv.gz").read_bytes() == first


def test_a_damaged_gzip_log_reads_as_missing(tmp_path):
    out = tmp_path / "r"
    args = ["run", "--env", "toy", "--teacher", "alp-gmm", "--student", "simulated"]
    assert main([*args, "--steps", "300", "--out", str(out)]) == 0
    assert pack_results.main([str(tmp_path)]) == 0
    for name in ("tasks.csv.gz", "teacher_log.jsonl.gz"):
        (out / name).write_bytes((out / name).read_bytes()[:30])
    (run,) = load_results([tmp_path]).runs
    assert run.tasks() is None and run.teacher_log() == []
