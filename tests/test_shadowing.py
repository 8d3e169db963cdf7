"""A project with its own ``envs/``, ``teachers/``, ``students/`` and ``benchmarks/`` packages,
first on the path (PYTHONPATH and the current folder), breaks neither the CLI nor the Python API:
aclbench installs the one name ``aclbench`` and never imports those top-level names."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
BROKEN = "raise ImportError('the user\\'s own {name} package was imported by aclbench')\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("envs", "teachers", "students", "benchmarks"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(BROKEN.format(name=name))
    (tmp_path / "envs" / "core.py").write_text("ENVS = None\n")  # defines the wrong thing
    return tmp_path


def run(command: list[str], project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=project)


def test_cli_ignores_the_projects_own_packages(project):
    listed = run([str(BIN / "aclbench"), "list", "envs"], project)
    assert listed.returncode == 0, listed.stderr
    assert "aclbench/CartPole-v0" in listed.stdout
    trained = run(
        [str(BIN / "aclbench"), "run", "--env", "toy", "--teacher", "alp-gmm", "--student"]
        + ["simulated", "--steps", "300", "--out", "out"],
        project,
    )
    assert trained.returncode == 0, trained.stderr
    assert (project / "out/status.json").read_text().count('"done"') == 1


def test_python_api_ignores_the_projects_own_packages(project):
    script = (
        "import gymnasium as gym\n"
        "import aclbench\n"
        "assert gym.make('aclbench/CartPole-v0').unwrapped.task_space is not None\n"
        "import aclbench.envs, aclbench.teachers, aclbench.students, aclbench.harness.suite\n"
        "teacher = aclbench.make_teacher('random', aclbench.ENVS.get('toy').make().unwrapped"
        ".task_space, seed=0)\n"
        "print(type(teacher).__module__)\n"
    )
    result = run([sys.executable, "-c", script], project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "aclbench.teachers.random_teacher"
