"""The report's clips: each teacher's final student on an easy and a hard test task.

``aclbench report DIR --videos`` adds them (replaying models takes seconds per clip, so they are
asked for). Per env, two test tasks, the same for every teacher so that their students can be
compared: the easy one, with the highest mean return at the last evaluation over every finished
run of the env, and the hard one, with the lowest (ties: the lower task index). Each teacher's
first finished seed that saved a model plays them as ``aclbench play`` does (deterministic, with
the run's normalization), and the clip is written as a GIF into ``videos/`` of the report folder,
kept small: the first :data:`MAX_STEPS` steps of the episode, every :data:`EVERY`-th frame (at
the same speed), :data:`WIDTH` pixels wide. Envs whose runs saved no model (simulated students)
are named and skipped; a clip that cannot be made (an env without ``rgb_array`` rendering) says
why in its cell, and the report is written all the same.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from aclbench.harness.play import MODEL_FILE, play, test_task
from aclbench.harness.report.render import ClipGrid, Section
from aclbench.harness.report.runs import Results, Run, packed

FOLDER = "videos"
"""The clips' folder, inside the report folder."""
WIDTH = 240
MAX_STEPS = 300
EVERY = 2


def video_section(results: Results, out: Path) -> Section:
    """The section of clips, written into ``out / FOLDER`` (module docstring)."""
    section = Section("Watch the students")
    section.blocks.append(
        "Each teacher's final student (its first finished seed) on the env's easy test task "
        "(highest mean final return over all the env's finished runs) and its hard one "
        f"(lowest): the first {MAX_STEPS} steps of one deterministic episode, one frame in "
        f"{EVERY} kept, at the same speed."
    )
    for env in results.envs:
        finished = [r for r in results.runs if r.env_label == env and r.usable]
        players = {
            teacher: run
            for teacher in results.teachers
            if (run := _first_with_model(results.group(env, teacher))) is not None
        }
        tasks = _easy_and_hard(finished)
        if not players or not tasks:
            section.blocks.append(
                f"{env}: no finished run saved a model to replay (simulated students have none)."
            )
            continue
        test_set = pd.read_csv(next(iter(players.values())).path / "test_tasks.csv")
        headers = ["teacher (seed)"]
        for label, index, mean in tasks:
            task = test_set.set_index("task_index").loc[index]
            values = ", ".join(f"{name} {value:.3g}" for name, value in task.items())
            headers.append(f"{label}: test task {index} ({values}), mean return {mean:.1f}")
        rows = []
        for teacher, run in players.items():
            cells: list[Path | str] = []
            for label, index, _ in tasks:
                clip = out / FOLDER / _file_name(f"{env}_{teacher}_{label}.gif")
                try:
                    play(
                        run.path,
                        test_task(run.path, index),
                        clip,
                        max_steps=MAX_STEPS,
                        width=WIDTH,
                        every=EVERY,
                    )
                except Exception as err:  # noqa: BLE001 - said in its cell; the report goes on
                    cells.append(f"no clip: {type(err).__name__}: {err}")
                else:
                    cells.append(clip.relative_to(out))
            rows.append((f"{teacher} (seed {run.seed})", cells))
        section.blocks.append(
            ClipGrid(f"{env}: the students at the end of training", headers, rows)
        )
    return section


def remove_clips(out: Path) -> None:
    """Remove the clips of an earlier report in ``out``."""
    for old in (out / FOLDER).glob("*.gif"):
        old.unlink()


def _first_with_model(runs: list[Run]) -> Run | None:
    return next((r for r in runs if r.usable and (r.path / MODEL_FILE).is_file()), None)


def _easy_and_hard(runs: list[Run]) -> list[tuple[str, int, float]]:
    """``(label, test task index, mean final return)`` of the easy and the hard task of
    ``runs`` (one, where they are the same task); empty where no run has per-task returns."""
    finals = []
    for run in runs:
        try:
            table = pd.read_csv(packed(run.path / "eval_tasks.csv"))  # pandas reads .gz too
            last = table[table["env_steps"] == table["env_steps"].max()]
            finals.append(last.set_index("task_index")["return"].astype(float))
        except (OSError, ValueError, KeyError, pd.errors.EmptyDataError):
            continue  # a run without per-task returns tells nothing here
    if not finals:
        return []
    means = pd.concat(finals, axis=1).mean(axis=1).sort_index()
    easy, hard = (
        int(means.index[np.argmax(means.values)]),
        int(means.index[np.argmin(means.values)]),
    )
    tasks = [("easy", easy, float(means[easy]))]
    return tasks if hard == easy else [*tasks, ("hard", hard, float(means[hard]))]


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)
