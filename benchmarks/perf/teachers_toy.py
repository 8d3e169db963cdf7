"""Every teacher on the toy bench: % of mastered cells, and the teacher's own time per episode.

The toy bench of Portelas et al. (CoRL 2019, section 5.1), driven directly (no harness): each
episode the teacher proposes a task, the :class:`~envs.toy.ToyEnv` plays it (one step), and the
teacher gets the return. The % of mastered cells is read at checkpoints; the teacher's time is
``sample_task()`` plus ``update()``, the overhead a curriculum adds to every RL episode.

Run::

    python -m benchmarks.perf.teachers_toy                      # full protocol (minutes)
    python -m benchmarks.perf.teachers_toy --seeds 2 --dims 2   # quicker look
    python -m benchmarks.perf.teachers_toy --teachers "alp-gmm[fit_rate=150]" riac

Teachers are told the toy's expert knowledge at ``--expert-knowledge`` (default ``"low"``, a
run's default: the mastery threshold and return range; ``"high"`` adds the initial Gaussian of
easy tasks at the origin), as the harness tells them.

A teacher entry is a registered name, optionally with constructor parameters in brackets. By
default: every registered teacher, and each of its presets other than its default (ALP-GMM's
``"paper"``, the authors' code, next to its default ``"paper-warm"``), to measure which preset
should be the default. Teacher time is CPU time of this process (``time.process_time``), so
that other jobs on a shared machine do not inflate it; on an idle machine it equals wall time.

The 2-D bench is the paper's (10 x 10 cells, 20,000 episodes). In 5-D, 10 cells per dimension
would make 100,000 cells, of which no teacher can master more than ~260 in 20,000 episodes (a
cell takes 76 plays), so the 5-D bench uses 3 cells per dimension (243 cells); ``--cells 4``
runs the harder one of issue 18 (1024 cells), on which ALP-GMM is compared with the reference
implementation.

Teachers that need parameters to run at all get the toy bench's expert knowledge
(:data:`TOY_PARAMS`: ADR's thresholds). A teacher that asks for initial-state values (SPDL)
gets the competence of each task before it is played, as the ``simulated`` student gives it.
"""

from __future__ import annotations

import argparse
import ast
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from aclbench import teachers
from aclbench.envs.core import expert_knowledge_of
from aclbench.envs.toy import ToyEnv
from aclbench.registry import accepted_parameters

CELLS_PER_DIM = {1: 10, 2: 10, 3: 5, 4: 4, 5: 3, 6: 3}
"""Cells per dimension of the toy bench for each number of dimensions."""

TOY_PARAMS: dict[str, dict[str, Any]] = {"adr": {"low_threshold": 0.0, "high_threshold": 0.75}}
"""Parameters a teacher cannot run without, for the toy bench: returns of failure (0, a cell
that cannot be learned yet) and mastery (0.75)."""

CHECKPOINTS = (5_000, 10_000, 20_000)
TIME_GOAL_S = {"alp-gmm": 0.5e-3}
"""Mean teacher time per episode that a teacher should stay under on the 2-D bench."""


@dataclass
class ToyRun:
    """One teacher on one toy bench with one seed.

    Attributes:
        mastered: checkpoint episode -> % of mastered cells after that many episodes.
        seconds: ``episodes`` teacher times, sample + update, in seconds.
    """

    teacher: str
    n_dims: int
    seed: int
    mastered: dict[int, float]
    seconds: NDArray[np.float64]


def preset_entries(names: Sequence[str]) -> list[str]:
    """``"name[preset='p']"`` for every preset of the teachers ``names`` but their default."""
    entries = []
    for name in names:
        cls = teachers.TEACHERS.get(name)
        parameters = accepted_parameters(cls) or {}
        if "preset" in parameters:
            default = parameters["preset"].default
            presets = getattr(cls, "presets", {})
            entries += [f"{name}[preset={p!r}]" for p in presets if p != default]
    return entries


def parse_entry(entry: str) -> tuple[str, dict[str, Any]]:
    """``"name[key=value,...]"`` -> ``(name, {key: value})``; values are Python literals."""
    name, _, rest = entry.partition("[")
    call = ast.parse(f"f({rest.strip().removesuffix(']')})", mode="eval").body
    assert isinstance(call, ast.Call) and not call.args, f"expected key=value pairs in {entry!r}"
    return name, {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg is not None}


def run_toy(
    teacher_name: str,
    *,
    n_dims: int = 2,
    episodes: int = 20_000,
    seed: int = 0,
    checkpoints: Sequence[int] = CHECKPOINTS,
    cells_per_dim: int | None = None,
    expert_knowledge: str = "low",
    **teacher_params: Any,
) -> ToyRun:
    """Train the toy learner with the teacher ``teacher_name`` for ``episodes`` episodes,
    telling it the toy's expert knowledge at the level ``expert_knowledge``.

    ``teacher_name`` may carry parameters, ``"alp-gmm[warm_start=False]"`` (see
    :func:`parse_entry`); they are merged with ``teacher_params``.
    """
    name, params = parse_entry(teacher_name)
    env = ToyEnv(n_dims=n_dims, cells_per_dim=cells_per_dim or CELLS_PER_DIM[n_dims])
    env.reset(seed=seed)
    params = {**TOY_PARAMS.get(name, {}), **params, **teacher_params}
    teacher = teachers.make_teacher(
        name,
        env.task_space,
        seed=seed,
        expert_knowledge=expert_knowledge_of(env).at(expert_knowledge),
        **params,
    )
    initial_values = teacher.capabilities.initial_values
    wanted = {c for c in checkpoints if c <= episodes}
    mastered: dict[int, float] = {}
    seconds = np.empty(episodes)
    clock = time.process_time
    for episode in range(1, episodes + 1):
        start = clock()
        task = teacher.sample_task()
        if initial_values:  # the simulated student's value of the task: its competence
            teacher.on_initial_values(task[None], [env.competence_of(task)])
        sampled = clock()
        env.reset(options={"task": task})
        episode_return = env.step(np.int64(0))[1]
        played = clock()
        teacher.update(task, episode_return)
        seconds[episode - 1] = (sampled - start) + (clock() - played)
        if episode in wanted:
            mastered[episode] = 100.0 * env.mastered_fraction()
    return ToyRun(teacher_name, n_dims, seed, mastered, seconds)


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of its Student-t confidence interval (0 for a single value)."""
    array = np.asarray(values, dtype=np.float64)
    if len(array) < 2:
        return float(array.mean()), 0.0
    sem = float(array.std(ddof=1) / np.sqrt(len(array)))
    return float(array.mean()), float(stats.t.ppf(0.5 + level / 2, len(array) - 1) * sem)


def report(runs: Sequence[ToyRun], n_dims: int, checkpoints: Sequence[int]) -> list[str]:
    """Table lines: mastered at each checkpoint, teacher time, ratios to ``random``."""
    names = list(dict.fromkeys(r.teacher for r in runs))
    by_name = {n: [r for r in runs if r.teacher == n] for n in names}
    final = max(checkpoints)
    random_final = np.mean([r.mastered[final] for r in by_name.get("random", [])] or [np.nan])
    random_time = np.mean(
        np.concatenate([r.seconds for r in by_name.get("random", [])] or [np.array([np.nan])])
    )
    header = f"{'teacher':<27}" + "".join(f"{f'mastered@{c // 1000}k %':>18}" for c in checkpoints)
    header += f"{'x random':>10}{'mean us':>10}{'median us':>11}{'p95 us':>9}{'x random':>10}"
    lines = [f"toy bench {n_dims}-D, {len(by_name[names[0]])} seeds", header]
    for name in names:
        row = f"{name:<27}"
        for c in checkpoints:
            mean, half = mean_ci([r.mastered[c] for r in by_name[name]])
            row += f"{f'{mean:.1f} +- {half:.1f}':>18}"
        final_mean = np.mean([r.mastered[final] for r in by_name[name]])
        seconds = np.concatenate([r.seconds for r in by_name[name]])
        row += f"{final_mean / random_final:>10.1f}" if random_final > 0 else f"{'-':>10}"
        row += f"{seconds.mean() * 1e6:>10.0f}{np.median(seconds) * 1e6:>11.0f}"
        row += f"{np.percentile(seconds, 95) * 1e6:>9.0f}{seconds.mean() / random_time:>10.1f}"
        lines.append(row)
        goal = TIME_GOAL_S.get(parse_entry(name)[0])
        if goal is not None and n_dims == 2:
            verdict = "met" if seconds.mean() < goal else "NOT met"
            lines.append(
                f"  -> {name}: {seconds.mean() * 1e3:.3f} ms/episode on average, goal "
                f"< {goal * 1e3:.1f} ms: {verdict}"
            )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teachers", nargs="+", default=None, help="default: all registered")
    parser.add_argument("--dims", nargs="+", type=int, default=[2, 5])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--episodes", type=int, default=20_000)
    parser.add_argument("--cells", type=int, default=None, help="cells per dimension")
    parser.add_argument("--expert-knowledge", default="low", choices=["none", "low", "high"])
    args = parser.parse_args(argv)
    registered = teachers.TEACHERS.names()
    names = args.teachers or [*registered, *preset_entries(registered)]
    if "random" not in names:
        names = ["random", *names]
    checkpoints = [c for c in CHECKPOINTS if c <= args.episodes] or [args.episodes]
    for n_dims in args.dims:
        runs = []
        for name in names:
            for seed in range(args.seeds):
                runs.append(
                    run_toy(
                        name,
                        n_dims=n_dims,
                        episodes=args.episodes,
                        seed=seed,
                        checkpoints=checkpoints,
                        cells_per_dim=args.cells,
                        expert_knowledge=args.expert_knowledge,
                    )
                )
        print("\n".join(report(runs, n_dims, checkpoints)), flush=True)
        print()


if __name__ == "__main__":
    main()
