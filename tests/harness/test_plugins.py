"""A teacher and an env from a separately installed package are usable by name, with no edit
to aclbench (entry-point groups ``aclbench.teachers`` and ``aclbench.envs``)."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

PLUGIN = Path(__file__).parents[1] / "plugin"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
    )
    return str(target)


def aclbench(args: list[str], plugin_path: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([plugin_path, str(Path.cwd())])}
    return subprocess.run(
        [sys.executable, "-m", "aclbench.harness.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
    )


def test_installed_teacher_is_listed_and_runs_in_a_suite(plugin_path, tmp_path):
    listed = aclbench(["list", "teachers"], plugin_path, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "lowest-first" in [line.split()[0] for line in listed.stdout.splitlines()]

    suite = tmp_path / "plugin.toml"
    suite.write_text(
        'name = "plugin"\nenvs = ["toy"]\nteachers = ["lowest-first"]\n'
        'students = ["simulated"]\nseeds = [0]\nsteps = 500\n'
    )
    result = aclbench(
        ["suite", str(suite), "--workers", "1", "--out", "out"], plugin_path, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tasks = pd.read_csv(tmp_path / "out/plugin/toy/lowest-first/seed-0/tasks.csv")
    assert len(tasks) == 500
    assert tasks[["x0", "x1"]].max().max() <= 0.5  # the plug-in's behaviour, not random's


def test_installed_env_is_listed_and_trained(plugin_path, tmp_path):
    listed = aclbench(["list", "envs"], plugin_path, tmp_path)
    assert listed.returncode == 0, listed.stderr
    line = next(line for line in listed.stdout.splitlines() if line.startswith("coarse-toy "))
    assert "aclbench-plugins/coarse-toy" in line and "3 x 3 grid" in line

    result = aclbench(
        ["run", "--env", "coarse-toy", "--teacher", "lowest-first", "--student", "simulated"]
        + ["--steps", "300", "--out", "run"],
        plugin_path,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(pd.read_csv(tmp_path / "run/test_tasks.csv")) == 9  # the plug-in's 3 x 3 cells
