"""``aclbench profile TEACHER``: a teacher's challenge profile on the simulated benches.

TeachMyAgent's five challenges (Romac et al., ICML 2021, section 4.1) rebuilt on the ``toy``
and ``task-graph`` benches, whose runs take seconds, so that any teacher (a plug-in's too) gets
its radar against ``random`` in minutes on a laptop:

================  ===============================  =====================================
challenge         toy (2-D, 6 x 6 cells)           task-graph (a chain of 6, 2 dead ends)
================  ===============================  =====================================
unfeasible        space [0, 1.75]^2: 1/3 of it     24 tasks, 18 of them unlearnable
                  learnable (Stump Tracks' [0, 9])
trivial           space [-0.4, 1]^2: half of it    16 tasks, 8 of them mastered from the
                  plays the origin (flat ground)   start
forgetting        every competence reset to 0 at   the same at 35% and 70% of the budget
                  35% and 70% of the budget (7M
                  and 14M of 20M steps)
rugged            4 x 4 cells shuffled, seed 21    the 8 tasks in 4 shuffled pairs
variety           a faster student (gain 2) and a  a faster student (learning rate 0.04)
                  noisy one (reward noise 0.1)     and a noisy one (reward noise 0.1)
================  ===============================  =====================================

The test set is always the bench's default one (the unit cube's 36 cells; tasks 0..7), as
TeachMyAgent tests every challenge on the default grid. Each challenge is a suite named
``challenge-NAME[-VARIANT]`` with one env; the runs go to ``OUT/<suite>/<env>/<teacher>/seed-K``,
so finished runs (random's, from an earlier profile in the same ``OUT``) are reused, and
``aclbench report OUT`` draws the same radar among its sections. A bench the teacher cannot
run on (its suite check refuses it) is left out, and said so.

Where runs have an ``expert_knowledge`` key (TeachMyAgent's three levels), the profile covers
each level (:func:`expert_levels`); until then it covers the runs' default only.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import tomli_w

from aclbench.errors import ConfigError
from aclbench.harness.config import RunConfig
from aclbench.harness.report.challenges import (
    ChallengeRow,
    challenge_rows,
    challenge_table,
    radar_figure,
)
from aclbench.harness.report.figures import save, teacher_colors
from aclbench.harness.report.render import FigureRef, Section, render_html, render_markdown
from aclbench.harness.report.runs import load_results
from aclbench.harness.results import write_atomic
from aclbench.harness.suite import PlannedRun, Suite, plan

SEEDS = 8
REFERENCE = "random"
EXPERT_LEVELS = ("none", "low", "high")


@dataclass(frozen=True)
class Challenge:
    """One suite of the profile: a challenge (or one variant of it) on one bench."""

    name: str
    env: str
    steps: int
    eval_interval: int
    kwargs: dict[str, Any] = field(default_factory=dict)
    test_kwargs: dict[str, Any] | None = None
    rugged: dict[str, Any] = field(default_factory=dict)
    student: dict[str, Any] = field(default_factory=dict)


TOY_CELLS = 6
"""The toy bench of the profile: 2-D, 6 x 6 cells, 6,000 one-step episodes, so that a run
takes seconds and random masters some cells on most challenges."""


def toy_challenge(name: str, kwargs: dict[str, Any] | None = None, **fields: Any) -> Challenge:
    """A challenge on the profile's toy bench; ``kwargs`` over its default env kwargs."""
    kwargs = {"cells_per_dim": TOY_CELLS, **(kwargs or {})}
    return Challenge(name, "toy", 6000, 600, kwargs=kwargs, **fields)


def _graph(name: str, **fields: Any) -> Challenge:
    """A challenge on the task-graph bench (its defaults: 8 tasks, 1,000 episodes)."""
    return Challenge(name, "task-graph", 1000, 100, **fields)


RUGGED = {"cuts": 4, "seed": 21}
SIMULATED_CHALLENGES: tuple[Challenge, ...] = (
    toy_challenge("challenge-unfeasible", {"high": 1.75}),
    _graph(
        "challenge-unfeasible",
        kwargs={"n_tasks": 24, "unlearnable": list(range(6, 24))},
        test_kwargs={},
    ),
    toy_challenge("challenge-trivial", {"low": -0.4}),
    _graph(
        "challenge-trivial",
        kwargs={"n_tasks": 16, "unlearnable": [6, 7], "trivial": list(range(8, 16))},
        test_kwargs={},
    ),
    toy_challenge("challenge-forgetting", student={"reset_every": 2100}),
    _graph("challenge-forgetting", student={"reset_every": 350}),
    toy_challenge("challenge-rugged", rugged=RUGGED),
    _graph("challenge-rugged", rugged=RUGGED),
    toy_challenge("challenge-variety-fast", {"gain": 2}),
    _graph("challenge-variety-fast", kwargs={"learning_rate": 0.04}),
    toy_challenge("challenge-variety-noisy", {"noise": 0.1}),
    _graph("challenge-variety-noisy", kwargs={"noise": 0.1}),
)


def expert_levels() -> tuple[str | None, ...]:
    """TeachMyAgent's expert-knowledge levels where a run has the ``expert_knowledge`` key,
    else ``(None,)``: the runs' default only."""
    keys = {f.name for f in dataclasses.fields(RunConfig)}
    return EXPERT_LEVELS if "expert_knowledge" in keys else (None,)


def suite_text(
    challenge: Challenge,
    teachers: Sequence[str],
    seeds: int,
    level: str | None = None,
) -> str:
    """The TOML of ``challenge``'s suite for ``teachers``, ``seeds`` seeds, one checkpoint
    (runs of seconds need no more)."""
    name = challenge.name if level is None else f"{challenge.name}-ek-{level}"
    data: dict[str, Any] = {
        "name": name,
        "envs": [challenge.env],
        "teachers": list(teachers),
        "students": ["simulated"],
        "seeds": list(range(seeds)),
        "steps": challenge.steps,
        "eval_interval": challenge.eval_interval,
        "checkpoint_interval": challenge.steps,
    }
    if level is not None:
        data["expert_knowledge"] = level
    if challenge.rugged:
        data["rugged"] = challenge.rugged
    env: dict[str, Any] = {"kwargs": challenge.kwargs}
    if challenge.test_kwargs is not None:
        env["test_kwargs"] = challenge.test_kwargs
    data["env"] = {challenge.env: env}
    if challenge.student:
        data["student"] = {"simulated": challenge.student}
    return tomli_w.dumps(data)


@dataclass
class Plan:
    """The runs of a profile and the suites left out (``(suite, env, why)``)."""

    runs: list[PlannedRun]
    todo: list[PlannedRun]
    suites: list[Suite]
    left_out: list[tuple[str, str, str]]


def plan_profile(
    teacher: str,
    out: Path,
    *,
    seeds: int = SEEDS,
    imports: Sequence[str] = (),
    challenges: Sequence[Challenge] = SIMULATED_CHALLENGES,
) -> Plan:
    """Every suite of the profile checked (a teacher that refuses a bench or a level leaves
    that suite out), and the runs not done yet."""
    if teacher == REFERENCE:
        raise ConfigError(f"profile: {REFERENCE!r} is the reference; name another teacher")
    if seeds < 2:
        raise ConfigError(f"profile: seeds must be >= 2 for a test against {REFERENCE}")
    profile = Plan([], [], [], [])
    for level in expert_levels():
        for challenge in challenges:
            text = suite_text(challenge, [teacher, REFERENCE], seeds, level)
            try:
                suite = Suite.parse(text, source=challenge.name, imports=imports)
            except ConfigError as err:
                profile.left_out.append((challenge.name, challenge.env, str(err)))
                continue
            todo, _ = plan(suite, out)
            profile.suites.append(suite)
            profile.runs += suite.runs
            profile.todo += todo
    if not profile.suites:
        reasons = "; ".join(f"{env}: {why}" for _, env, why in profile.left_out[:2])
        raise ConfigError(f"profile: teacher {teacher!r} can run no challenge ({reasons})")
    return profile


def file_stem(teacher: str) -> str:
    """A file name for ``teacher`` (a plug-in's ``module:Class`` too)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", teacher)


def write_profile(
    teacher: str, out: Path, suites: Sequence[Suite], *, reps: int = 2000, seed: int = 0
) -> tuple[list[ChallengeRow], Path]:
    """The profile of ``teacher`` from the runs of ``suites`` under ``out``: its rows, and the
    page written (``OUT/profile-TEACHER.html``, with ``.md``, ``.csv`` and the radar under
    ``OUT/profile-TEACHER/``)."""
    results = load_results([out])
    names = {suite.name for suite in suites}
    results.runs = [r for r in results.runs if r.suite in names]
    rows = [r for r in challenge_rows(results, reps, seed) if r.teacher == teacher]
    if not rows:
        raise ConfigError(f"profile: no finished runs of {teacher!r} and {REFERENCE} in {out}")
    stem = f"profile-{file_stem(teacher)}"
    figures_dir = out / stem
    colors = teacher_colors([REFERENCE, teacher], REFERENCE)
    fig = radar_figure(rows, REFERENCE, colors)
    png = save(fig, figures_dir, "radar")
    table = challenge_table(rows, REFERENCE)
    section = Section(f"Challenge profile of {teacher}")
    section.blocks += [
        f"Final % mastered over {REFERENCE}'s on TeachMyAgent's five challenges rebuilt on "
        "the simulated benches (aclbench.harness.profile), with a 95% bootstrap interval "
        "over seeds; Welch's t-test, * p < 0.05 (bold ratio).",
        table,
        FigureRef(png.relative_to(out), "Challenge radar (TeachMyAgent's)."),
    ]
    meta = f"{out}; generated {datetime.now():%Y-%m-%d %H:%M}"
    write_atomic(out / f"{stem}.md", render_markdown(section.title, meta, [section]))
    write_atomic(out / f"{stem}.html", render_html(section.title, meta, [section], out))
    csv = pd.DataFrame(table.rows, columns=table.headers).to_csv(index=False)
    write_atomic(figures_dir / "profile.csv", csv)
    return rows, out / f"{stem}.html"
