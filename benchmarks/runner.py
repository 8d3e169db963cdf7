"""Run one (env, teacher, student, seed) configuration into its own folder.

:func:`run` depends on its config alone and writes only inside ``run_dir``, so any executor
(the local process pool, Ray) can call it anywhere. The student is evaluated deterministically
on the env's fixed test set before training and every ``eval_interval`` env steps.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

import envs
import students
import teachers
from aclbench.task_space import Task
from benchmarks.config import RunConfig
from benchmarks.results import RunRecorder, now, provenance, write_status
from students.base import Student
from teachers.registry import teacher_class


class EvaluationSchedule:
    """The :class:`~students.base.TrainingListener` of a run: records every training episode
    and evaluates the student whenever ``eval_interval`` more env steps have passed."""

    def __init__(
        self,
        recorder: RunRecorder,
        student: Student,
        teacher: teachers.Teacher,
        config: RunConfig,
        progress: tqdm | None,
    ) -> None:
        self.recorder, self.student, self.teacher = recorder, student, teacher
        self.interval = config.resolved_eval_interval
        self.next_eval = 0
        self.last_eval: int | None = None
        self.progress = progress
        self.env_steps = 0

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        self.recorder.add_episode(task, episode_return, env_steps)

    def on_steps(self, env_steps: int) -> None:
        if self.progress is not None:
            self.progress.update(env_steps - self.env_steps)
        self.env_steps = env_steps
        if env_steps >= self.next_eval:
            self.evaluate()

    def evaluate(self) -> None:
        returns = np.asarray(self.student.evaluate(self.recorder.test_tasks), dtype=np.float64)
        row = self.recorder.add_evaluation(self.env_steps, returns, self.teacher.inner_state())
        self.last_eval = self.env_steps
        self.next_eval = (self.env_steps // self.interval + 1) * self.interval
        if self.progress is not None:
            self.progress.set_postfix(mastered=f"{row['mastered_pct']:.0f}%")


def check_config(config: RunConfig) -> None:
    """Fail before anything is written: unknown env, teacher or student names, and teacher
    parameters the teacher does not take. (Student hyperparameters are checked when the
    student is built, against the learner's own signature.)"""
    envs.ENVS.get(config.env)
    teacher_class(config.teacher, config.teacher_params)
    students.STUDENTS.get(config.student)


def resolve_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def run(config: RunConfig, run_dir: Path, *, progress: bool = False) -> dict[str, Any]:
    """Train and evaluate one run; return its final status (``done`` or ``failed``).

    A failure (an exception in the env, the teacher or the learner) is recorded in
    ``status.json`` with its traceback, never raised: one bad run must not stop a suite.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config = config.resolved()
    config.save(run_dir / "config.toml")
    started = time.monotonic()
    status: dict[str, Any] = {
        "state": "running",
        "started": now(),
        **provenance(resolve_device(config.device)),
    }
    write_status(run_dir, status)
    bar = tqdm(total=config.steps, desc=run_dir.name, unit="step", disable=not progress)
    try:
        _train(config, run_dir, bar)
        status["state"] = "done"
    except Exception as err:  # noqa: BLE001 - recorded in status.json, then the suite goes on
        status.update(state="failed", error=f"{type(err).__name__}: {err}")
        status["traceback"] = traceback.format_exc()
        (run_dir / "traceback.txt").write_text(status["traceback"])
    finally:
        bar.close()
    status.update(finished=now(), wall_s=round(time.monotonic() - started, 3))
    write_status(run_dir, status)
    return status


def _train(config: RunConfig, run_dir: Path, bar: tqdm) -> None:
    probe = envs.make_env(config.env, **config.env_kwargs)
    inner = envs.task_env(probe)
    task_space, test_tasks, threshold = (
        inner.task_space,
        inner.test_tasks(),
        inner.mastered_threshold,
    )
    probe.close()

    teacher = teachers.make_teacher(
        config.teacher, task_space, seed=config.seed, **config.teacher_params
    )
    student = students.make_student(
        config.student,
        config.env,
        teacher,
        seed=config.seed,
        env_kwargs=config.env_kwargs,
        device=config.device,
        **config.student_params,
    )
    try:
        recorder = RunRecorder(run_dir, task_space, test_tasks, threshold)
        schedule = EvaluationSchedule(recorder, student, teacher, config, bar)
        schedule.on_steps(0)
        student.learn(config.steps, schedule)
        if schedule.last_eval != schedule.env_steps:
            schedule.evaluate()
        recorder.save_teacher(teacher.state_dict())
        student.save(run_dir)
    finally:
        student.close()
