"""Suites: TOML files that expand into runs (envs x teachers x students x seeds).

The smallest complete suite::

    name = "demo"
    envs = ["toy"]
    teachers = ["random", "alp-gmm"]
    students = ["simulated"]
    seeds = [0, 1, 2]
    steps = 20000

Optional keys: ``eval_interval`` (0, the default: a twentieth of ``steps``), ``device``,
``expert_knowledge`` (``"none"``, ``"low"``, the default, or ``"high"``: what the teachers are
told about each env, see :mod:`aclbench.expert_knowledge`; a teacher that needs more is refused),
``tensorboard`` (``true``: each run keeps a TensorBoard log, :mod:`harness.tensorboard`),
``import`` (modules to import first, for the teachers, students and envs they register by
name: ``import = ["mymodule"]``), and the resources a cluster gives each run,
``cpus_per_run`` and ``gpus_per_run``, at the top; tables ``[teacher.NAME]`` and
``[student.NAME]`` of constructor parameters; and ``[env.NAME]`` tables overriding, for one
env, ``students``, ``teachers``, ``seeds``, ``steps`` and ``eval_interval``, plus a ``kwargs``
table for the env's constructor (the training task space) and a ``test_kwargs`` table for the
env whose ``test_tasks()`` is the test set (default: the same as ``kwargs``; an empty table: the
env's default test set, as TeachMyAgent's challenges test on the default grid). A ``rugged``
table, at the top or for one env, shuffles the cells of the task space the teachers see
(TeachMyAgent's rugged difficulty; keys of :class:`aclbench.rugged.CellShuffle`)::

    [env.cartpole]
    students = ["ppo"]
    seeds = [0, 1]
    steps = 100000
    kwargs = { force_mag = [1.0, 1000.0] }
    test_kwargs = {}
    rugged = { cuts = 4, seed = 21 }

    [teacher.alp-gmm]
    fit_rate = 150

Runs are written to ``<out>/<suite>/<env>/<teacher>/seed-<k>/``; where one env is trained with
several students, the env folder is ``<env>@<student>``. So that no two runs share a folder and
no run writes outside ``<out>``, the suite's name is a plain folder name and no list repeats a
name or a seed.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

from aclbench import envs, students, teachers
from aclbench.errors import ConfigError, describe_type
from aclbench.harness.checks import ConfigChecker
from aclbench.harness.config import RunConfig, check_run_folder
from aclbench.harness.results import read_status
from aclbench.registry import import_modules

TOP_KEYS = {
    "name": str,
    "envs": list,
    "teachers": list,
    "students": list,
    "seeds": list,
    "steps": int,
    "eval_interval": int,
    "checkpoint_interval": int,
    "device": str,
    "expert_knowledge": str,
    "import": list,
    "tensorboard": bool,
    "cpus_per_run": (int, float),
    "gpus_per_run": (int, float),
    "env": dict,
    "teacher": dict,
    "student": dict,
    "rugged": dict,
}
REQUIRED = ("name", "envs", "teachers", "students", "seeds", "steps")
FOLDER_NAME = re.compile(r"\w[\w.-]*")
"""What a suite's name may be: it names a folder of ``--out``."""
ENV_KEYS = {
    "students": list,
    "teachers": list,
    "seeds": list,
    "steps": int,
    "eval_interval": int,
    "kwargs": dict,
    "test_kwargs": dict,
    "rugged": dict,
}


@dataclass(frozen=True)
class PlannedRun:
    """A run of a suite and the folder it writes, relative to the output folder."""

    config: RunConfig
    path: Path


@dataclass(frozen=True)
class Suite:
    """A parsed suite: its runs, the resources each asks of a cluster, and its source text."""

    name: str
    runs: tuple[PlannedRun, ...]
    source: str
    cpus_per_run: float = 1.0
    gpus_per_run: float = 0.0

    @classmethod
    def load(
        cls, path: Path, *, imports: Sequence[str] = (), teachers: Sequence[str] | None = None
    ) -> Suite:
        """The suite of the file ``path`` (:meth:`parse`)."""
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as err:
            raise ConfigError(f"cannot read suite file {path}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"cannot read suite file {path}: not UTF-8 text") from None
        return cls.parse(text, source=str(path), imports=imports, teachers=teachers)

    @classmethod
    def parse(
        cls,
        text: str,
        *,
        source: str = "suite",
        imports: Sequence[str] = (),
        teachers: Sequence[str] | None = None,
    ) -> Suite:
        """The suite of TOML ``text``; ``imports`` (``aclbench suite --import``) are imported
        before the suite's own ``import`` list, and every run imports both. ``teachers``: run
        only these (registered) teachers, on every env, under the suite's protocol otherwise
        unchanged: how a new teacher is run against stored baselines. A teacher the suite has
        no ``[teacher.NAME]`` table for runs with its defaults."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{source}: not valid TOML: {err}") from None
        _check_table(data, TOP_KEYS, source)
        missing = [key for key in REQUIRED if key not in data]
        if missing:
            raise ConfigError(f"{source}: missing required key(s) {', '.join(missing)}")
        _check_top(data, source)
        modules = list(dict.fromkeys([*imports, *data.get("import", [])]))
        import_modules(data.get("import", []), f"{source}: import")
        if teachers is not None:
            data = _with_teachers(data, list(teachers), source)
        runs = _expand({**data, "import": modules}, source)
        return cls(
            name=data["name"],
            runs=tuple(runs),
            source=text,
            cpus_per_run=float(data.get("cpus_per_run", 1.0)),
            gpus_per_run=float(data.get("gpus_per_run", 0.0)),
        )


def _expand(data: Mapping[str, Any], source: str) -> list[PlannedRun]:
    _check_lists(data, source)
    env_tables = data.get("env", {})
    for name, table in env_tables.items():
        where = f"{source} [env.{name}]"
        if name not in data["envs"]:
            raise ConfigError(f"{where} names an env not in envs = {data['envs']}")
        if not isinstance(table, dict):
            keys = ", ".join(ENV_KEYS)
            raise ConfigError(f"{where} must be a table with keys {keys}, got {table!r}")
        _check_table(table, ENV_KEYS, where)
        _check_lists(table, where)
    teacher_params = data.get("teacher", {})
    student_params = data.get("student", {})
    checker = ConfigChecker()  # builds each env and each teacher once for the whole suite
    runs = []
    for env_name in data["envs"]:
        table = env_tables.get(env_name, {})
        merged = {**data, **table}
        several_students = len(merged["students"]) > 1
        # Seed-major: every teacher runs seed k before any runs seed k + 1, so a campaign
        # stopped part way holds comparable groups (the same seeds for every teacher).
        for student, seed, teacher in product(
            merged["students"], merged["seeds"], merged["teachers"]
        ):
            config = _run_config(
                source,
                env=env_name,
                teacher=teacher,
                student=student,
                seed=seed,
                steps=merged["steps"],
                eval_interval=merged.get("eval_interval", 0),
                checkpoint_interval=data.get("checkpoint_interval", 0),
                env_kwargs=dict(table.get("kwargs", {})),
                test_env_kwargs=dict(table["test_kwargs"]) if "test_kwargs" in table else None,
                teacher_params=dict(_params(teacher_params, teacher, "teacher", source)),
                rugged=dict(merged.get("rugged", {})),
                student_params=dict(_params(student_params, student, "student", source)),
                expert_knowledge=data.get("expert_knowledge", "low"),
                device=data.get("device", "auto"),
                suite=data["name"],
                imports=list(data["import"]),
                tensorboard=data.get("tensorboard", False),
            )
            try:
                checker.check(config)  # bad parameters fail here, not in every run
            except ConfigError as err:
                raise ConfigError(f"{source}: {err}") from None
            env_dir = f"{env_name}@{student}" if several_students else env_name
            runs.append(PlannedRun(config, Path(data["name"]) / env_dir / teacher / f"seed-{seed}"))
    _check_used(teacher_params, {run.config.teacher for run in runs}, "teacher", source)
    _check_used(student_params, {run.config.student for run in runs}, "student", source)
    return runs


def _with_teachers(data: Mapping[str, Any], names: list[str], source: str) -> dict[str, Any]:
    """``data`` with ``names`` as the teachers of every env, and only their parameter tables."""
    _names(names, "teachers", teachers.TEACHERS, f"{source} (--teachers)")
    env_tables = {
        env: {**table, "teachers": names}
        if isinstance(table, dict) and "teachers" in table
        else table
        for env, table in data.get("env", {}).items()
    }
    params = {name: table for name, table in data.get("teacher", {}).items() if name in names}
    return {**data, "teachers": names, "env": env_tables, "teacher": params}


def _run_config(source: str, **fields: Any) -> RunConfig:
    try:
        return RunConfig(**fields)
    except ConfigError as err:  # what the suite's own checks leave to RunConfig: the device
        raise ConfigError(f"{source}: {err}") from None


def _check_top(data: Mapping[str, Any], source: str) -> None:
    if not FOLDER_NAME.fullmatch(data["name"]):
        raise ConfigError(
            f"{source}: name must be a plain folder name (letters, digits, '_', '-', '.'; not "
            f"starting with '.'), got {data['name']!r}"
        )
    if data.get("cpus_per_run", 1) <= 0:
        raise ConfigError(f"{source}: cpus_per_run must be > 0, got {data['cpus_per_run']!r}")
    if data.get("gpus_per_run", 0) < 0:
        raise ConfigError(f"{source}: gpus_per_run must be >= 0, got {data['gpus_per_run']!r}")


def _check_lists(table: Mapping[str, Any], where: str) -> None:
    """The lists of the top level or of an ``[env.NAME]`` table: known names, seeds >= 0, and
    no repeat (two runs would share one folder); and its budget and intervals, so that an
    error names the table it is in."""
    registries = {"envs": envs.ENVS, "teachers": teachers.TEACHERS, "students": students.STUDENTS}
    for key, registry in registries.items():
        if key in table:
            _names(table[key], key, registry, where)
    if "seeds" in table:
        _seeds(table["seeds"], where)
    for key, least in (("steps", 1), ("eval_interval", 0), ("checkpoint_interval", 0)):
        if key in table and table[key] < least:
            raise ConfigError(f"{where}: {key} must be an integer >= {least}, got {table[key]!r}")


def _names(values: list[Any], key: str, registry: Any, where: str) -> None:
    if not values:
        raise ConfigError(f"{where}: {key} must list at least one name")
    for value in values:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: {key} must hold names (strings), got {value!r}")
        registry.get(value)  # raises UnknownNameError listing the known names
    _no_repeats(values, key, where)


def _seeds(values: list[Any], where: str) -> None:
    if not values:
        raise ConfigError(f"{where}: seeds must list at least one seed")
    for value in values:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: seeds must be integers >= 0, got {value!r}")
    _no_repeats(values, "seeds", where)


def _no_repeats(values: list[Any], key: str, where: str) -> None:
    repeated = sorted({value for value in values if values.count(value) > 1})
    if repeated:
        raise ConfigError(
            f"{where}: {key} lists {', '.join(map(repr, repeated))} more than once; "
            "each run needs a folder of its own"
        )


def _params(tables: Mapping[str, Any], name: str, kind: str, source: str) -> Mapping[str, Any]:
    params = tables.get(name, {})
    if not isinstance(params, dict):
        raise ConfigError(f"{source}: [{kind}.{name}] must be a table of parameters")
    return params


def _check_used(tables: Mapping[str, Any], used: set[str], kind: str, source: str) -> None:
    """A ``[teacher.NAME]`` or ``[student.NAME]`` table no run uses is a typo, not a no-op."""
    for name in tables:
        if name not in used:
            close = difflib.get_close_matches(name, sorted(used), n=1)
            hint = f" Did you mean [{kind}.{close[0]}]?" if close else ""
            raise ConfigError(
                f"{source}: [{kind}.{name}] names a {kind} no run of this suite uses.{hint} "
                f"The suite uses: {', '.join(sorted(used))}"
            )


def _check_table(table: Mapping[str, Any], allowed: Mapping[str, Any], where: str) -> None:
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown key {key!r}; allowed keys: {', '.join(sorted(allowed))}"
            )
        kinds = allowed[key] if isinstance(allowed[key], tuple) else (allowed[key],)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(describe_type(kind) for kind in kinds)
            raise ConfigError(f"{where}: {key} must be {expected}, got {value!r}")


def plan(
    suite: Suite, out: Path, *, retry_failed: bool = False
) -> tuple[list[PlannedRun], dict[str, int]]:
    """The runs still to do, and counts of those skipped by state.

    A rerun of a suite skips finished runs, leaves failed ones alone (``retry_failed`` reruns
    only those), and (re)starts the others. A folder holding a different config than the
    suite now asks for is an error, not silently overwritten.
    """
    todo, skipped = [], {"done": 0, "failed": 0, "other": 0}
    for planned in suite.runs:
        run_dir = Path(out) / planned.path
        check_run_folder(run_dir, planned.config)
        state = read_status(run_dir)["state"]
        wanted = state == "failed" if retry_failed else state not in ("done", "failed")
        if not wanted:
            skipped[state if state in skipped else "other"] += 1
        if wanted:
            todo.append(planned)
    return todo, skipped
