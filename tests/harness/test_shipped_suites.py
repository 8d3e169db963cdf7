"""Every suite shipped in ``benchmarks/suites/`` (baselines, demo, protocols, challenges) loads
and passes the checks a suite gets before anything runs: its envs, teachers, students and their
parameters exist and fit together. A suite no test runs must not rot into a ConfigError the day
someone reruns it; the protocol suites also run at a tiny budget (test_protocol_suites.py)."""

import tomllib
from pathlib import Path

import pytest

from aclbench.harness.checks import ConfigChecker
from aclbench.harness.config import RunConfig
from aclbench.harness.runner import run
from aclbench.harness.suite import Suite

FOLDER = Path(__file__).parents[2] / "benchmarks" / "suites"
SHIPPED = sorted(FOLDER.rglob("*.toml"))


def test_the_suites_folder_is_found():
    assert len(SHIPPED) > 10


def build_classrooms(suite_file: Path) -> None:
    """A suite whose ``again`` reads a classroom built by an earlier command (its header says
    which) gets a short toy ALP-GMM run there, relative to the current folder as the suite's
    path is: enough for the checks, which read the classroom when they build the teacher."""
    teachers = tomllib.loads(suite_file.read_text()).get("teacher", {})
    folder = teachers.get("again", {}).get("classroom")
    if folder is not None:
        config = RunConfig(
            env="toy",
            teacher="alp-gmm",
            student="simulated",
            seed=0,
            steps=2000,
            eval_interval=1000,
            teacher_params=teachers.get("alp-gmm", {}),
        )
        assert run(config, Path(folder) / "seed-0")["state"] == "done"


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(FOLDER)) for p in SHIPPED])
def test_every_shipped_suite_loads_and_passes_its_checks(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where relative paths of a suite (a classroom) are found
    build_classrooms(path)
    suite = Suite.load(path)
    assert suite.runs
    checker = ConfigChecker()
    for planned in suite.runs:
        checker.check(planned.config)
