"""Loading results folders: every run below them, grouped by env and teacher for the report.

A run folder is any folder that holds ``config.toml`` (written by the runner); its identity (env,
teacher, seed...) is read from that file, never from the path, so results can be moved, renamed
and put beside other folders. Nothing is dropped silently: folders whose config cannot be read,
runs that failed, are still running or never started, and seeds that the rest of their suite has
but a teacher lacks, are all kept and listed by the report.

Labels. Runs of one env name that differ in student, ``env_kwargs``, ``student_params`` or
``rugged`` become separate envs (``cartpole@ppo``, ``stumps[height=[0, 9]]``,
``toy[reset_every=2100]``). Within one env, runs of one teacher name that differ
in ``teacher_params`` or come from different input folders become separate teachers
(``alp-gmm[fit_rate=150]``, ``random (baseline)``), so variants are never pooled into one mean.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace

ACLBENCH_VERSION = version("aclbench")
"""The version of the code reading the runs; runs made by another are flagged, not refused."""

REFERENCE_TEACHER = "random"
"""The baseline every teacher is compared with (Welch's test, improvement, ratio)."""

REQUIRED_KEYS = ("suite", "env", "teacher", "seed", "steps")
EVAL_COLUMNS = ("env_steps", "mean_return", "mastered_pct")


@dataclass(eq=False)
class Run:
    """One run folder. ``evals`` has one row per evaluation, sorted by ``env_steps``
    (columns of ``eval.csv``); it is empty when the run has not evaluated yet."""

    path: Path
    root: Path
    config: dict[str, Any]
    status: dict[str, Any]
    evals: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    env_label: str = ""
    teacher_label: str = ""

    @property
    def state(self) -> str:
        """``done``, ``failed``, ``running`` (or interrupted), or ``pending`` (no status.json)."""
        return str(self.status.get("state", "pending"))

    @property
    def usable(self) -> bool:
        """Counted in the statistics: finished and evaluated at least once."""
        return self.state == "done" and not self.evals.empty

    @property
    def env(self) -> str:
        return str(self.config["env"])

    @property
    def teacher(self) -> str:
        return str(self.config["teacher"])

    @property
    def student(self) -> str:
        return str(self.config.get("student", ""))

    @property
    def seed(self) -> int:
        return int(self.config["seed"])

    @property
    def steps(self) -> int:
        return int(self.config["steps"])

    @property
    def suite(self) -> str:
        return str(self.config["suite"])

    @property
    def display_path(self) -> str:
        """The folder relative to its results folder's parent (``baseline/demo/toy/...``)."""
        return _display(self.path, self.root)

    @cached_property
    def test_set_digest(self) -> str | None:
        """Short hash of the test tasks (values, not file bytes), to compare test sets."""
        table = _read_csv(self.path / "test_tasks.csv")
        if table is None:
            return None
        try:
            values = table.drop(columns="task_index", errors="ignore").to_numpy(float)
        except ValueError:  # not numbers: compared as a missing test set
            return None
        values = np.round(values, 9)
        text = ",".join(table.columns) + values.tobytes().hex()
        return hashlib.sha1(text.encode()).hexdigest()[:10]

    def task_space(self) -> TaskSpace | None:
        """The space of ``task_space.json``, or ``None`` when missing or unreadable."""
        try:
            return TaskSpace.from_config(json.loads((self.path / "task_space.json").read_text()))
        except (OSError, ValueError, TypeError, KeyError, IndexError):
            return None

    def tasks(self) -> pd.DataFrame | None:
        """Every training episode (``tasks.csv``); read on demand, it can be large."""
        return _read_csv(packed(self.path / "tasks.csv"))

    def teacher_log(self) -> list[dict[str, Any]]:
        """The teacher's logged states in order; lines that are not JSON objects are skipped."""
        try:
            with open_text(packed(self.path / "teacher_log.jsonl")) as file:
                lines = file.read().splitlines()
        except (OSError, EOFError, UnicodeDecodeError):  # missing, or a damaged gzip file
            return []
        entries = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and "env_steps" in entry:
                entries.append(entry)
        return entries


@dataclass(frozen=True)
class MissingRun:
    """A seed that the rest of its suite ran on this env but this teacher has no folder for."""

    root: Path
    suite: str
    env_label: str
    teacher_label: str
    seed: int

    @property
    def display_path(self) -> str:
        return _display(self.root / self.suite, self.root)


@dataclass
class Results:
    """All runs found below the input folders, labelled, with what the report must flag."""

    roots: list[Path]
    runs: list[Run]
    unreadable: list[tuple[Path, str]]
    missing: list[MissingRun]
    warnings: list[str]

    @property
    def envs(self) -> list[str]:
        return _unique(run.env_label for run in self.runs)

    @property
    def teachers(self) -> list[str]:
        """Teacher labels; the reference (``random``) first, then in order of appearance."""
        labels = _unique(run.teacher_label for run in self.runs)
        return sorted(labels, key=lambda label: label != self.reference)

    @property
    def reference(self) -> str | None:
        """Label of the baseline teacher: ``random``, else the first ``random (folder)``."""
        labels = _unique(r.teacher_label for r in self.runs if r.teacher == REFERENCE_TEACHER)
        return REFERENCE_TEACHER if REFERENCE_TEACHER in labels else next(iter(labels), None)

    def group(self, env: str, teacher: str) -> list[Run]:
        """Runs of one env and teacher, by seed."""
        runs = [r for r in self.runs if r.env_label == env and r.teacher_label == teacher]
        return sorted(runs, key=lambda r: (r.seed, str(r.path)))

    def missing_in(self, env: str, teacher: str) -> list[MissingRun]:
        return [m for m in self.missing if m.env_label == env and m.teacher_label == teacher]


def load_results(run_dirs: Sequence[Path]) -> Results:
    """Find and read every run below ``run_dirs`` (folders given twice are read once)."""
    roots = [Path(d) for d in run_dirs]
    if not roots:
        raise ConfigError("no results folder given: pass at least one folder holding runs")
    runs: list[Run] = []
    unreadable: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            raise ConfigError(f"results folder {str(root)!r} does not exist or is not a folder")
        for config_path in sorted(root.rglob("config.toml")):
            folder = config_path.parent.resolve()
            if folder in seen:
                continue
            seen.add(folder)
            try:
                runs.append(_load_run(config_path.parent, root))
            except ConfigError as err:
                unreadable.append((config_path.parent, str(err)))
    if not runs and not unreadable:
        raise ConfigError(
            f"no runs found below {', '.join(map(str, roots))}: a run folder holds the "
            "config.toml written by `aclbench suite`"
        )
    _label_envs(runs)
    _label_teachers(runs)
    return Results(roots, runs, unreadable, _find_missing(runs), _compare(runs))


def _load_run(path: Path, root: Path) -> Run:
    try:
        config = tomllib.loads((path / "config.toml").read_text())
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError(f"config.toml cannot be read: {err}") from None
    absent = [key for key in REQUIRED_KEYS if key not in config]
    if absent:
        raise ConfigError(
            f"config.toml lacks {', '.join(absent)} (needs {', '.join(REQUIRED_KEYS)})"
        )
    problems: list[str] = []
    status: dict[str, Any] = {}
    if (path / "status.json").exists():
        try:
            status = json.loads((path / "status.json").read_text())
        except ValueError as err:
            problems.append(f"status.json is not valid JSON ({err})")
    made_by = status.get("versions", {}).get("aclbench") if isinstance(status, dict) else None
    if made_by is not None and made_by != ACLBENCH_VERSION:
        problems.append(
            f"made by aclbench {made_by}, this is {ACLBENCH_VERSION}: check that its protocol "
            "and metrics mean the same before comparing it with runs of this version"
        )
    evals = _read_evals(path / "eval.csv")
    evals = evals.sort_values("env_steps").drop_duplicates("env_steps", keep="last")
    run = Run(path, root, config, status, evals.reset_index(drop=True), problems)
    if run.state == "done" and run.evals.empty:
        problems.append("finished without any evaluation in eval.csv")
    return run


def _read_evals(path: Path) -> pd.DataFrame:
    """The rows of ``eval.csv``; none where the run has not written it yet. A file that is
    there but cut, emptied or foreign (the runner writes it whole, by rename) makes the run
    unreadable, with the reason: a run is never dropped or plotted from half a file."""
    if not path.exists():
        return pd.DataFrame(columns=list(EVAL_COLUMNS))
    try:
        evals = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ConfigError("eval.csv is empty") from None
    except (OSError, ValueError) as err:
        raise ConfigError(f"eval.csv cannot be read: {err}".splitlines()[0]) from None
    lacking = [c for c in EVAL_COLUMNS if c not in evals.columns]
    if lacking:
        raise ConfigError(f"eval.csv lacks column(s) {', '.join(lacking)} (header cut or foreign)")
    values = evals[list(EVAL_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = values.index[~np.isfinite(values.to_numpy(float)).all(axis=1)]
    if len(bad):
        raise ConfigError(
            f"eval.csv row {int(bad[0]) + 2} is incomplete or not numbers (file cut mid-line?)"
        )
    return evals.assign(**{c: values[c] for c in EVAL_COLUMNS})


def packed(path: Path) -> Path:
    """``path``, or its gzip-compressed copy ``path.gz`` where only that exists: stored
    baselines keep their large logs compressed (``benchmarks/pack_results.py``)."""
    gz = path.with_name(path.name + ".gz")
    return gz if not path.exists() and gz.exists() else path


def open_text(path: Path) -> IO[str]:
    """``path`` opened for reading text, decompressed if its name ends in ``.gz``."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _read_csv(path: Path) -> pd.DataFrame | None:
    try:
        return pd.read_csv(path)
    except (OSError, EOFError, ValueError):  # missing, empty, malformed or a cut gzip file
        return None


def _label_envs(runs: list[Run]) -> None:
    labels = _variant_labels(
        runs,
        name=lambda r: r.env,
        variant=lambda r: {
            "@": r.student,
            **_flat(r.config.get("env_kwargs", {})),
            **_flat(r.config.get("student_params", {})),
            **({"rugged": json.dumps(r.config["rugged"])} if r.config.get("rugged") else {}),
        },
    )
    for run in runs:
        run.env_label = labels[run]


def _label_teachers(runs: list[Run]) -> None:
    roots = _unique(str(r.root) for r in runs)
    names = [Path(root).name for root in roots]
    folder = {root: name if names.count(name) == 1 else root for root, name in zip(roots, names)}
    by_env: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_env[run.env_label].append(run)
    for env_runs in by_env.values():
        labels = _variant_labels(
            env_runs,
            name=lambda r: r.teacher,
            variant=lambda r: {
                "()": folder[str(r.root)],
                **_flat(r.config.get("teacher_params", {})),
            },
        )
        for run in env_runs:
            run.teacher_label = labels[run]


def _variant_labels(
    runs: list[Run], name: Callable[[Run], str], variant: Callable[[Run], dict[str, str]]
) -> dict[Run, str]:
    """``name`` plus the keys whose values differ between runs of that name: key ``@`` gives
    ``name@value``, key ``()`` gives ``name (value)``, others ``name[key=value, ...]``."""
    variants: dict[str, list[dict[str, str]]] = defaultdict(list)
    for run in runs:
        if variant(run) not in variants[name(run)]:
            variants[name(run)].append(variant(run))
    labels = {}
    for run in runs:
        own, others = variant(run), variants[name(run)]
        keys = sorted({k for v in others for k in v if len({w.get(k) for w in others}) > 1})
        label = name(run)
        if "@" in keys:
            label += f"@{own.get('@', '')}"
        params = [f"{k}={own.get(k, '-')}" for k in keys if k not in ("@", "()")]
        if params:
            label += f"[{', '.join(params)}]"
        if "()" in keys:
            label += f" ({own.get('()', '')})"
        labels[run] = label
    return labels


def _flat(table: dict[str, Any]) -> dict[str, str]:
    return {key: json.dumps(value, sort_keys=True) for key, value in table.items()}


def _find_missing(runs: list[Run]) -> list[MissingRun]:
    """Seeds run by some teacher of a suite on an env but absent for another teacher there."""
    suites: dict[tuple[Path, str, str], list[Run]] = defaultdict(list)
    for run in runs:
        suites[(run.root, run.suite, run.env_label)].append(run)
    missing = []
    for (root, suite, env), suite_runs in suites.items():
        seeds = {r.seed for r in suite_runs}
        for teacher in _unique(r.teacher_label for r in suite_runs):
            have = {r.seed for r in suite_runs if r.teacher_label == teacher}
            missing += [MissingRun(root, suite, env, teacher, s) for s in sorted(seeds - have)]
    return missing


def _compare(runs: list[Run]) -> list[str]:
    """Warnings where runs of one env differ in what makes their results comparable."""
    warnings = []
    checks = {
        "budgets (env steps)": lambda r: str(r.steps),
        "test sets": lambda r: r.test_set_digest or "missing",
        "evaluation intervals": lambda r: str(r.config.get("eval_interval", "?")),
    }
    for env in _unique(r.env_label for r in runs):
        env_runs = [r for r in runs if r.env_label == env]
        for what, key in checks.items():
            values: dict[str, list[str]] = defaultdict(list)
            for run in env_runs:
                values[key(run)] = _unique([*values[key(run)], run.teacher_label])
            if len(values) > 1:
                detail = "; ".join(f"{v}: {', '.join(t)}" for v, t in values.items())
                warnings.append(f"{env}: runs differ in {what}: {detail}")
    return warnings


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve().parent).as_posix()
    except ValueError:
        return str(path)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
