"""A user's own module in the current folder is found without PYTHONPATH, as ``python -m``
finds it: named as ``module:Class`` or imported with ``--import`` / a suite's ``import`` key.
A module that is missing or fails to import is one line, exit code 2, nothing written."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ACLBENCH = str(Path(sys.executable).parent / "aclbench")  # the console script a user runs

MODULE = '''
import numpy as np

from aclbench import Teacher, register_teacher


@register_teacher("upper-half")
class UpperHalf(Teacher):
    """Samples from the upper half of every dimension."""

    def _sample_task(self):
        return self.task_space.from_unit(0.5 + self.rng.random(len(self.task_space)) / 2)
'''
RUN = ["--env", "toy", "--student", "simulated", "--steps", "200"]


def aclbench(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run([ACLBENCH, *args], capture_output=True, text=True, env=env, cwd=cwd)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "mymodule.py").write_text(MODULE)
    return tmp_path


def upper_half_only(run_dir: Path) -> bool:
    tasks = pd.read_csv(run_dir / "tasks.csv")
    return len(tasks) == 200 and bool((tasks[["x0", "x1"]] >= 0.5).all().all())


def test_module_colon_class_is_found_in_the_current_folder(folder):
    result = aclbench(["run", *RUN, "--teacher", "mymodule:UpperHalf", "--out", "out"], folder)
    assert result.returncode == 0, result.stderr
    assert upper_half_only(folder / "out")


def test_import_makes_a_registered_name_usable(folder):
    missing = aclbench(["run", *RUN, "--teacher", "upper-half", "--out", "out"], folder)
    assert missing.returncode == 2 and "unknown teacher 'upper-half'" in missing.stderr

    listed = aclbench(["list", "teachers", "--import", "mymodule"], folder)
    assert "upper-half" in [line.split()[0] for line in listed.stdout.splitlines()]
    result = aclbench(
        ["run", *RUN, "--import", "mymodule", "--teacher", "upper-half", "--out", "out"], folder
    )
    assert result.returncode == 0, result.stderr
    assert upper_half_only(folder / "out")
    assert 'imports = [\n    "mymodule",\n]' in (folder / "out/config.toml").read_text()


def test_suite_import_key_reaches_the_run_workers(folder):
    (folder / "s.toml").write_text(
        'name = "s"\nimport = ["mymodule"]\nenvs = ["toy"]\nteachers = ["upper-half"]\n'
        'students = ["simulated"]\nseeds = [0]\nsteps = 200\n'
    )
    result = aclbench(["suite", "s.toml", "--workers", "1", "--out", "out"], folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert upper_half_only(folder / "out/s/toy/upper-half/seed-0")  # in a spawned worker


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (None, "cannot import module 'nosuchmodule': ModuleNotFoundError"),
        ("raise RuntimeError('broken on purpose')", "RuntimeError: broken on purpose"),
        ("def (", "SyntaxError"),
    ],
)
def test_a_bad_module_is_one_line_and_nothing_written(tmp_path, source, expected):
    name = "nosuchmodule" if source is None else "badmodule"
    if source is not None:
        (tmp_path / "badmodule.py").write_text(source)
    (tmp_path / "s.toml").write_text(
        f'name = "s"\nimport = ["{name}"]\nenvs = ["toy"]\nteachers = ["random"]\n'
        'students = ["simulated"]\nseeds = [0]\nsteps = 200\n'
    )
    commands = [
        ["run", *RUN, "--teacher", "random", "--import", name, "--out", "out"],
        ["run", *RUN, "--teacher", f"{name}:Teacher", "--out", "out"],
        ["suite", "s.toml", "--out", "out"],
        ["list", "envs", "--import", name],
    ]
    for args in commands if source is None else commands[1:3]:
        result = aclbench(args, tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("aclbench: error:")
        assert expected in result.stderr or "nosuchmodule" in result.stderr, result.stderr
        assert not (tmp_path / "out").exists()


BROKEN_ENV = """
from aclbench import register_env


class Broken:
    def __init__(self, **kwargs):
        raise RuntimeError("no such terrain file")


register_env("broken-env", "aclbench-test/Broken-v0", "brokenenv:Broken", "builds nothing")
"""


def test_list_envs_names_an_env_that_cannot_be_built_and_lists_the_others(tmp_path):
    (tmp_path / "brokenenv.py").write_text(BROKEN_ENV)
    result = aclbench(["list", "envs", "--import", "brokenenv"], tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("broken-env")] == [
        "broken-env           cannot be built: RuntimeError: no such terrain file  "
        "(aclbench-test/Broken-v0)"
    ]
    assert any(line.startswith("cartpole ") for line in lines)  # the others are still listed
    assert result.stderr == "aclbench: error: 1 env(s) cannot be built (listed above)\n"
