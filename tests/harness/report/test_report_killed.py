"""A report killed by SIGKILL part way through writing its figures is never taken for a finished
one, and the rerun gives a complete report (the bad-input issue: nothing lost under faults)."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

from aclbench.harness.cli import main

ACLBENCH = str(Path(sys.executable).parent / "aclbench")
SUITE = """
name = "s"
envs = ["toy"]
teachers = ["random", "alp-gmm"]
students = ["simulated"]
seeds = [0, 1]
steps = 600
eval_interval = 200
"""


def test_a_report_killed_while_writing_figures_is_rebuilt_whole(tmp_path):
    (tmp_path / "s.toml").write_text(SUITE)
    assert main(["suite", str(tmp_path / "s.toml"), "--workers", "1", "--out", str(tmp_path)]) == 0
    results = tmp_path / "s"
    report = results / "report"
    # many bootstrap resamples keep the report busy after its first figure is written
    process = subprocess.Popen([ACLBENCH, "report", str(results), "--reps", "50000"])
    deadline = time.monotonic() + 300
    while not list(report.glob("figures/*.png")) and time.monotonic() < deadline:
        assert process.poll() is None, "the report finished before it could be killed"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert list(report.glob("figures/*.png")), "killed before its first figure"
    assert not (report / "report.html").exists() and not (report / "report.md").exists()

    assert main(["report", str(results), "--reps", "50"]) == 0
    markdown = (report / "report.md").read_text()
    shown = set(re.findall(r"figures/[^)\s]+\.png", markdown))
    assert shown and (report / "report.html").exists()
    assert {f"figures/{p.name}" for p in report.glob("figures/*.png")} == shown  # no stale one
    for name in shown:
        with Image.open(report / name) as image:
            image.verify()  # whole PNG files, none cut by the kill
