"""Plug-ins: a teacher and an env from a separately installed package, a module of the current
folder, and ``--import``, each usable by name with no edit to aclbench; and a user's own
``envs/``, ``teachers/``, ``students/`` and ``benchmarks/`` packages never shadow aclbench's."""

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


def test_installed_env_is_listed_and_trains(plugin_path, tmp_path):
    listed = aclbench(["list", "envs"], plugin_path, tmp_path)
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if x.startswith("short-cartpole"))
    assert "pole_length: [0.02, 0.1]" in line and "aclbench-example/ShortCartPole-v0" in line
    args = ["run", "--env", "short-cartpole", "--teacher", "lowest-first", "--student", "ppo"]
    result = aclbench(
        [
            *args,
            "--steps",
            "256",
            "-p",
            "student.n_envs=2",
            "-p",
            "student.n_steps=128",
            "--out",
            "run",
        ],
        plugin_path,
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tasks = pd.read_csv(tmp_path / "run" / "tasks.csv")
    assert tasks["pole_length"].between(0.02, 0.06).all()  # the plug-in env's space, lower half


CONSOLE_SCRIPT = str(Path(sys.executable).parent / "aclbench")
MY_TEACHERS = """
import numpy as np

from aclbench import Teacher, register_teacher


@register_teacher("always-low")
class AlwaysLow(Teacher):
    def _sample_task(self):
        return self.task_space.from_unit(np.zeros(len(self.task_space)))
"""


def console(args: list[str], cwd: Path, pythonpath: str | None = None):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([CONSOLE_SCRIPT, *args], capture_output=True, text=True, env=env, cwd=cwd)


TOY_RUN = ["run", "--env", "toy", "--student", "simulated", "--steps", "200"]


def test_a_module_of_the_current_folder_is_found_without_pythonpath(tmp_path):
    (tmp_path / "my_teachers.py").write_text(MY_TEACHERS)
    by_path = console([*TOY_RUN, "--teacher", "my_teachers:AlwaysLow", "--out", "a"], tmp_path)
    assert by_path.returncode == 0, by_path.stderr
    by_name = console(
        [*TOY_RUN, "--import", "my_teachers", "--teacher", "always-low", "--out", "b"], tmp_path
    )
    assert by_name.returncode == 0, by_name.stderr
    for run in ("a", "b"):
        tasks = pd.read_csv(tmp_path / run / "tasks.csv")
        assert (tasks[["x0", "x1"]] == 0).all().all()
    assert "imports = [" in (tmp_path / "b" / "config.toml").read_text()


def test_a_suite_imports_its_modules_in_every_worker(tmp_path):
    (tmp_path / "my_teachers.py").write_text(MY_TEACHERS)
    (tmp_path / "s.toml").write_text(
        'name = "s"\nimport = ["my_teachers"]\nenvs = ["toy"]\nteachers = ["always-low"]\n'
        'students = ["simulated"]\nseeds = [0, 1]\nsteps = 200\n'
    )
    result = console(["suite", "s.toml", "--workers", "2", "--out", "out"], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    for seed in (0, 1):
        tasks = pd.read_csv(tmp_path / f"out/s/toy/always-low/seed-{seed}/tasks.csv")
        assert len(tasks) == 200 and (tasks[["x0", "x1"]] == 0).all().all()


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (
            "no_such_module",
            "cannot import module 'no_such_module': ModuleNotFoundError: No module named "
            "'no_such_module'",
        ),
        ("broken", "cannot import module 'broken': ZeroDivisionError: division by zero"),
    ],
)
def test_a_module_that_fails_to_import_is_one_line_and_writes_nothing(tmp_path, module, message):
    (tmp_path / "broken.py").write_text("1 / 0\n")
    result = console([*TOY_RUN, "--import", module, "--teacher", "random", "--out", "r"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"aclbench: error: --import: {message}"]
    assert not (tmp_path / "r").exists()


SHADOWS = {
    "envs": "raise ImportError('the user envs package was imported')\n",
    "teachers": "ENVS = None\nTEACHERS = None\n",
    "students": "raise RuntimeError('the user students package was imported')\n",
    "benchmarks": "raise RuntimeError('the user benchmarks package was imported')\n",
}


def test_a_users_own_envs_teachers_students_and_benchmarks_packages_shadow_nothing(tmp_path):
    for name, code in SHADOWS.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(code)
    path = str(tmp_path)  # first on the path, and the current folder
    listed = console(["list", "envs"], tmp_path, pythonpath=path)
    assert listed.returncode == 0, listed.stderr
    assert "cartpole" in listed.stdout
    ran = console([*TOY_RUN, "--teacher", "alp-gmm", "--out", "r"], tmp_path, pythonpath=path)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "r" / "eval.csv").exists()
    api = subprocess.run(
        [
            sys.executable,
            "-c",
            "import gymnasium as gym, aclbench; env = gym.make('aclbench/CartPole-v0'); "
            "print(type(env.unwrapped).__name__, aclbench.make_teacher('random', "
            "aclbench.TaskSpace({'x': (0.0, 1.0)})).sample_task().shape)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert api.returncode == 0, api.stderr
    assert api.stdout.split() == ["TaskCartPoleEnv", "(1,)"]
