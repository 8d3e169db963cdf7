"""Every suite shipped in ``benchmarks/suites/`` (baselines, demo, protocols, challenges) loads
and passes the checks a suite gets before anything runs: its envs, teachers, students and their
parameters exist and fit together. A suite no test runs must not rot into a ConfigError the day
someone reruns it; the protocol suites also run at a tiny budget (test_protocol_suites.py)."""

from pathlib import Path

import pytest

from aclbench.harness.checks import ConfigChecker
from aclbench.harness.suite import Suite

FOLDER = Path(__file__).parents[2] / "benchmarks" / "suites"
SHIPPED = sorted(FOLDER.rglob("*.toml"))


def test_the_suites_folder_is_found():
    assert len(SHIPPED) > 10


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(FOLDER)) for p in SHIPPED])
def test_every_shipped_suite_loads_and_passes_its_checks(path):
    suite = Suite.load(path)
    assert suite.runs
    checker = ConfigChecker()
    for planned in suite.runs:
        checker.check(planned.config)
