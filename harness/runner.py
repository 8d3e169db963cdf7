"""Run one (env, teacher, student, seed) configuration into its own folder.

:func:`run` depends on its config alone and writes only inside ``run_dir``, so any executor
(the local process pool, Ray) can call it anywhere. The student is evaluated deterministically
on the env's fixed test set before training and every ``eval_interval`` env steps, and the
run is checkpointed every ``checkpoint_interval`` env steps and when it gets SIGTERM or SIGINT.
Calling :func:`run` again on an interrupted run's folder resumes it from its last checkpoint.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from aclbench import students, teachers
from aclbench.harness.checkpoints import latest_checkpoint, remove_checkpoints, write_checkpoint
from aclbench.harness.checks import evaluation_protocol, run_knowledge
from aclbench.harness.config import RunConfig
from aclbench.harness.results import (
    RunRecorder,
    now,
    provenance,
    read_status,
    write_atomic,
    write_status,
)
from aclbench.harness.tensorboard import TensorBoardLog, remove_event_files
from aclbench.registry import import_modules
from aclbench.students.base import Student
from aclbench.task_space import Task
from aclbench.teachers.rugged import make_rugged

RESUMABLE_STATES = ("running", "interrupted")
TRACEBACK_FILE = "traceback.txt"


class RunInterrupted(Exception):
    """Raised inside training once a requested stop has been checkpointed."""


class EvaluationSchedule:
    """The :class:`~students.base.TrainingListener` of a run: records every training episode,
    evaluates the student every ``eval_interval`` env steps (and gives the returns to a teacher
    that declares ``evaluations``) and checkpoints the run every ``checkpoint_interval`` env
    steps, or at once when ``stop`` is set."""

    def __init__(
        self,
        recorder: RunRecorder,
        student: Student,
        teacher: teachers.Teacher,
        config: RunConfig,
        progress: tqdm,
        stop: threading.Event,
    ) -> None:
        self.recorder, self.student, self.teacher = recorder, student, teacher
        self.interval = config.resolved_eval_interval
        self.checkpoint_interval = config.resolved_checkpoint_interval
        self.progress, self.stop = progress, stop
        self.env_steps = 0
        self.next_eval = 0
        self.last_eval: int | None = None
        self.next_checkpoint = self.checkpoint_interval
        self.can_checkpoint = True
        self.board: TensorBoardLog | None = None  # the run's TensorBoard log, if it keeps one

    def on_episode(self, task: Task, episode_return: float, env_steps: int) -> None:
        self.recorder.add_episode(task, episode_return, env_steps)

    def on_steps(self, env_steps: int) -> None:
        self.progress.update(env_steps - self.env_steps)
        self.env_steps = env_steps
        if env_steps >= self.next_eval:
            self.evaluate()
        if self.stop.is_set():
            self.checkpoint()
            raise RunInterrupted(f"stopped by a signal at env step {env_steps}")
        if env_steps >= self.next_checkpoint:
            self.checkpoint()

    def evaluate(self) -> None:
        returns = np.asarray(self.student.evaluate(self.recorder.test_tasks), dtype=np.float64)
        teacher_state = self.teacher.inner_state()
        row = self.recorder.add_evaluation(self.env_steps, returns, teacher_state)
        if self.board is not None:
            self.board.add_evaluation(self.env_steps, row, teacher_state)
        if self.teacher.capabilities.evaluations:
            self.teacher.on_evaluation(self.recorder.test_tasks, returns)
        self.last_eval = self.env_steps
        self.next_eval = (self.env_steps // self.interval + 1) * self.interval
        self.progress.set_postfix(mastered=f"{row['mastered_pct']:.0f}%")

    def checkpoint(self) -> None:
        self.next_checkpoint = (self.env_steps // self.checkpoint_interval + 1) * (
            self.checkpoint_interval
        )
        if not self.can_checkpoint:
            return
        self.recorder.flush()  # the files then hold at least the checkpoint's rows
        state = {
            "env_steps": self.env_steps,
            "episodes": len(self.recorder.episodes),
            "evaluations": len(self.recorder.evaluations),
            "next_eval": self.next_eval,
            "last_eval": self.last_eval,
            "wall_s": self.recorder.wall_s,
            "teacher": self.teacher.state_dict(),
        }
        try:
            write_checkpoint(self.recorder.run_dir, state, self.student.save_checkpoint)
        except NotImplementedError:
            self.can_checkpoint = False  # this student cannot resume: the run would restart

    def restore(self, state: dict[str, Any]) -> None:
        self.recorder.restore(state["episodes"], state["evaluations"], state["wall_s"])
        self.env_steps, self.next_eval = state["env_steps"], state["next_eval"]
        self.last_eval = state["last_eval"]
        self.next_checkpoint = (self.env_steps // self.checkpoint_interval + 1) * (
            self.checkpoint_interval
        )
        self.progress.update(self.env_steps)


def run(config: RunConfig, run_dir: Path, *, progress: bool = False) -> dict[str, Any]:
    """Train and evaluate one run; return its final status: ``done``, ``failed`` or
    ``interrupted`` (by SIGTERM/SIGINT, after a checkpoint).

    A run folder left ``running`` or ``interrupted`` with the same config is resumed from its
    last checkpoint. A failure (an exception in the env, the teacher or the learner) is
    recorded in ``status.json`` with its traceback, never raised: one bad run must not stop a
    suite.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config = config.resolved()
    resume = _resumable(config, run_dir)
    if resume is None:
        remove_checkpoints(run_dir)
        remove_event_files(run_dir)  # an earlier run's TensorBoard log
    config.save(run_dir / "config.toml")
    (run_dir / TRACEBACK_FILE).unlink(missing_ok=True)  # an earlier failure's, now retried
    started = time.monotonic()
    status: dict[str, Any] = {
        "state": "running",
        "started": now(),
        **provenance(config.device),  # "auto" until the student says which it uses
    }
    if resume is not None:
        status["resumed_at_env_steps"] = resume[0]["env_steps"]
    write_status(run_dir, status)
    stop = threading.Event()
    previous = _catch_stop_signals(stop)
    bar = tqdm(total=config.steps, desc=run_dir.name, unit="step", disable=not progress)
    try:
        _train(config, run_dir, status, bar, stop, resume)
        status["state"] = "done"
    except RunInterrupted as err:
        status.update(state="interrupted", error=str(err))
    except Exception as err:  # noqa: BLE001 - recorded in status.json, then the suite goes on
        status.update(state="failed", error=f"{type(err).__name__}: {err}")
        status["traceback"] = traceback.format_exc()
        write_atomic(run_dir / TRACEBACK_FILE, status["traceback"])
    finally:
        bar.close()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    status.update(finished=now(), wall_s=round(time.monotonic() - started, 3))
    write_status(run_dir, status)
    if status["state"] == "done":
        remove_checkpoints(run_dir)  # only now: killed before, the run resumes from it
    return status


def _resumable(config: RunConfig, run_dir: Path) -> tuple[dict[str, Any], Path] | None:
    if read_status(run_dir)["state"] not in RESUMABLE_STATES:
        return None
    if not (run_dir / "config.toml").exists():
        return None
    if not RunConfig.load(run_dir / "config.toml").same_run(config):  # logging may differ
        return None
    return latest_checkpoint(run_dir)


def _catch_stop_signals(stop: threading.Event) -> dict[int, Any]:
    """On SIGTERM or SIGINT, set ``stop``: the run checkpoints at its next step and ends."""
    if threading.current_thread() is not threading.main_thread():
        return {}  # signals reach the main thread only (e.g. inside a Ray worker's thread)
    return {
        signum: signal.signal(signum, lambda *_: stop.set())
        for signum in (signal.SIGTERM, signal.SIGINT)
    }


def _train(
    config: RunConfig,
    run_dir: Path,
    status: dict[str, Any],
    bar: tqdm,
    stop: threading.Event,
    resume: tuple[dict[str, Any], Path] | None,
) -> None:
    import_modules(config.imports, "imports")  # in a worker process too, before any lookup
    task_space, test_tasks, threshold = evaluation_protocol(config)

    teacher = teachers.make_teacher(
        config.teacher,
        task_space,
        seed=config.seed,
        expert_knowledge=run_knowledge(config),
        **config.teacher_params,
    )
    params = teachers.teacher_params(teacher, config.teacher_params)  # the inner one's
    teacher = make_rugged(teacher, config.rugged)
    student = students.make_student(
        config.student,
        config.env,
        teacher,
        seed=config.seed,
        env_kwargs=config.env_kwargs,
        device=config.device,
        **config.student_params,
    )
    status["device"] = student.device  # the one it really trains on
    write_status(run_dir, status)
    board = None
    try:
        recorder = RunRecorder(run_dir, task_space, test_tasks, threshold)
        recorder.save_teacher_params(params)
        recorder.save_student_params(student.hyperparams)
        schedule = EvaluationSchedule(recorder, student, teacher, config, bar, stop)
        if config.tensorboard:
            resumed_at = None if resume is None else resume[0]["env_steps"]
            board = schedule.board = TensorBoardLog(run_dir, resumed_at=resumed_at)
            student.log_training(board.logger)
        if resume is None:
            schedule.on_steps(0)
        else:
            state, folder = resume
            teacher.load_state_dict(state["teacher"])
            student.load_checkpoint(folder)
            schedule.restore(state)
        try:
            if schedule.env_steps < config.steps:
                student.learn(config.steps - schedule.env_steps, schedule)
            if schedule.last_eval != schedule.env_steps:
                schedule.evaluate()
            status["env_steps"] = schedule.env_steps
            status["overshoot_steps"] = schedule.env_steps - config.steps  # end of a rollout
        except Exception:
            recorder.flush()  # a failed run keeps its rows up to the failure, not to a checkpoint
            raise
        recorder.flush()  # the rows of the last evaluations
        recorder.save_teacher(teacher.state_dict())
        _save_student(student, run_dir)
    finally:
        student.close()
        if board is not None:
            board.close()


def _save_student(student: Student, run_dir: Path) -> None:
    """The student's final files (``model.zip``...), each renamed into ``run_dir`` once whole:
    students write with their libraries' own savers, which write in place."""
    tmp = run_dir / ".student.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        student.save(tmp)
        for path in sorted(tmp.iterdir()):
            os.replace(path, run_dir / path.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
