"""RuggedTeacher: any teacher through a shuffled task space (teachers.rugged)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.rugged import CellShuffle
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers import make_teacher
from aclbench.teachers.base import Rollout, Teacher
from aclbench.teachers.checker import check_teacher
from aclbench.teachers.rugged import RuggedTeacher, make_rugged

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (-1.0, 1.0)})


class RuggedALPGMM(RuggedTeacher):
    """ALP-GMM through a shuffle, built as check_teacher builds teachers."""

    def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
        inner = make_teacher("alp-gmm", task_space, seed=seed, fit_rate=50)
        super().__init__(inner, CellShuffle(task_space, cuts=4, seed=21))


def test_a_wrapped_teacher_passes_check_teacher() -> None:
    check_teacher(RuggedALPGMM, SPACE, episodes=200)


class Spy(Teacher):
    """Proposes a fixed sequence and records what it is told."""

    def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
        super().__init__(task_space, seed=seed)
        self.told: list[Task] = []
        self.rollout_tasks: list[np.ndarray] = []

    def _sample_task(self) -> Task:
        return self.task_space.sample(self.rng)

    def _update(self, task: Task, episode_return: float, success: Any, info: Any) -> None:
        self.told.append(task.copy())

    def _on_rollout_end(self, rollout: Rollout) -> None:
        self.rollout_tasks.append(rollout.tasks)


def test_the_env_gets_moved_tasks_and_the_teacher_gets_its_own_back() -> None:
    spy = Spy(SPACE, seed=0)
    shuffle = CellShuffle(SPACE, cuts=4, seed=21)
    teacher = RuggedTeacher(spy, shuffle)
    own = Spy(SPACE, seed=0)  # the same sequence, unwrapped
    sent = [teacher.sample_task() for _ in range(50)]
    proposed = [own.sample_task() for _ in range(50)]
    for task, mine in zip(sent, proposed):
        np.testing.assert_array_equal(task, shuffle.forward(mine))
    for task in reversed(sent):  # feedback in any order
        teacher.update(task, 1.0)
    for told, mine in zip(reversed(spy.told), proposed):
        np.testing.assert_array_equal(told, mine)  # exactly its own task, not a rounded one
    stranger = np.array([0.9, 0.9])
    teacher.update(stranger, 0.0)
    np.testing.assert_allclose(spy.told[-1], shuffle.inverse(stranger))


def test_rollout_tasks_are_moved_back() -> None:
    spy = Spy(SPACE, seed=0)
    shuffle = CellShuffle(SPACE, cuts=4, seed=21)
    teacher = RuggedTeacher(spy, shuffle)
    tasks = np.array([[[0.1, 0.9], [0.6, -0.8]], [[0.3, 0.2], [0.99, 0.0]]])
    zeros = np.zeros((2, 2))
    teacher.on_rollout_end(Rollout(tasks, zeros, zeros, zeros, zeros, zeros.astype(bool)))
    expected = [[shuffle.inverse(t) for t in row] for row in tasks]
    np.testing.assert_allclose(spy.rollout_tasks[0], expected)


def test_empty_table_leaves_the_teacher_and_adversarial_teachers_are_refused() -> None:
    teacher = make_teacher("random", SPACE, seed=0)
    assert make_rugged(teacher, {}) is teacher
    paired = make_teacher("paired", SPACE, seed=0)
    with pytest.raises(ConfigError, match="adversarially"):
        make_rugged(paired, {"cuts": 4})
