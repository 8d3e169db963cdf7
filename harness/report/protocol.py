"""Whether new runs share the protocol of stored baselines, so one report may hold both.

A new teacher is compared with stored baselines only where everything but the teacher is the
same: budget, evaluation interval, seeds, student and its settings, env and test-set settings,
the rugged shuffle of the task space, and the test set itself (its task values).
:func:`check_protocol` names every key that differs and refuses the comparison, rather than
mixing runs of different protocols in one table.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from aclbench.errors import ConfigError
from aclbench.harness.report.runs import Run, load_results

PROTOCOL: dict[str, Callable[[Run], str]] = {
    "steps": lambda r: str(r.steps),
    "eval_interval": lambda r: str(r.config.get("eval_interval")),
    "env_kwargs": lambda r: json.dumps(r.config.get("env_kwargs", {}), sort_keys=True),
    "test_env_kwargs": lambda r: json.dumps(r.config.get("test_env_kwargs"), sort_keys=True),
    "student_params": lambda r: json.dumps(r.config.get("student_params", {}), sort_keys=True),
    # runs saved before the key existed ran at its default
    "expert_knowledge": lambda r: str(r.config.get("expert_knowledge", "low")),
    "rugged": lambda r: json.dumps(r.config.get("rugged", {}), sort_keys=True),
    "test set": lambda r: r.test_set_digest or "missing",
}
"""The keys that must agree, per run, between new runs and the baselines of their env."""


def check_protocol(new_dirs: Sequence[Path], baseline_dirs: Sequence[Path]) -> None:
    """Raise ConfigError naming, per env, the keys where runs below ``new_dirs`` differ from
    the baselines below ``baseline_dirs`` (envs are matched by name and student); new runs of
    an env the baselines lack are refused too."""
    new, base = load_results(list(new_dirs)).runs, load_results(list(baseline_dirs)).runs
    base_by_env: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in base:
        base_by_env[(run.env, run.student)].append(run)
    problems = []
    for (env, student), runs in _by_env(new).items():
        baselines = base_by_env.get((env, student))
        if not baselines:
            problems.append(f"{env}@{student}: no baseline runs of this env and student")
            continue
        for key, value in PROTOCOL.items():
            wanted = sorted({value(r) for r in baselines})
            got = sorted({value(r) for r in runs})
            if got != wanted:
                problems.append(
                    f"{env}@{student}: {key} {', '.join(got)} (baseline: {', '.join(wanted)})"
                )
        seeds, wanted_seeds = sorted({r.seed for r in runs}), sorted({r.seed for r in baselines})
        if seeds != wanted_seeds:
            problems.append(f"{env}@{student}: seeds {seeds} (baseline: {wanted_seeds})")
    if problems:
        raise ConfigError(
            "the runs do not share the baselines' protocol, so they are not compared: "
            + "; ".join(problems)
        )


def _by_env(runs: list[Run]) -> dict[tuple[str, str], list[Run]]:
    groups: dict[tuple[str, str], list[Run]] = defaultdict(list)
    for run in runs:
        groups[(run.env, run.student)].append(run)
    return groups
