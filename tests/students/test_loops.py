"""The SB3 student's training loop comes from the teacher's declared capabilities only."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aclbench.students import make_student
from aclbench.students.loops import PlainLoop
from aclbench.students.paired import PairedLoop
from aclbench.students.rollout_modes import RolloutModeLoop, UpdateGate
from aclbench.students.sb3 import loop_class
from aclbench.task_space import TaskSpace
from aclbench.teachers import make_teacher
from aclbench.teachers.base import Capabilities
from tests.students import counting_env
from tests.students.spies import RecordingListener, SpyTeacher, key

N_ENVS, N_STEPS, ROLLOUTS = 2, 8, 4


class StrayHooks(SpyTeacher):
    """Has methods named as the rollout-mode and PAIRED hooks, and declares neither."""

    train_on_new_levels = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []

    def begin_rollout(self) -> bool:
        self.calls.append("begin_rollout")
        return False  # were it obeyed: new levels, and no gradient step (train_on_new_levels)

    def end_round(self) -> np.ndarray:
        self.calls.append("end_round")
        return np.zeros(0)


class DeclaredHooks(StrayHooks):
    """The same teacher, declaring ``rollout_mode``."""

    capabilities = Capabilities(rollout_mode=True)


def train(teacher_cls: type[StrayHooks], monkeypatch: pytest.MonkeyPatch):
    env_name = counting_env.register(monkeypatch)
    teacher = teacher_cls(counting_env.CountingEnv().task_space, seed=0)
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=N_ENVS, n_steps=N_STEPS,
        batch_size=N_ENVS * N_STEPS, n_epochs=1,
    )  # fmt: skip
    before = [p.detach().clone() for p in student.model.policy.parameters()]
    student.learn(ROLLOUTS * N_ENVS * N_STEPS, RecordingListener())
    updated = not all(torch.equal(a, b) for a, b in zip(before, student.model.policy.parameters()))
    return teacher, student, updated


def test_a_teacher_with_stray_hooks_trains_as_any_other(monkeypatch: pytest.MonkeyPatch) -> None:
    teacher, student, updated = train(StrayHooks, monkeypatch)
    try:
        assert teacher.calls == []
        assert type(student.loop) is PlainLoop and not isinstance(student.model, UpdateGate)
        assert updated  # nothing gated the gradient steps
        history = [(key(t), r) for h in student.venv.get_attr("history") for t, r in h]
        assert sorted((key(t), r) for t, r in teacher.received) == sorted(history)
    finally:
        student.close()


def test_the_same_hooks_declared_change_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    teacher, student, updated = train(DeclaredHooks, monkeypatch)
    try:
        assert teacher.calls == ["begin_rollout"] * ROLLOUTS
        assert type(student.loop) is RolloutModeLoop
        assert not updated and student.model.skipped_updates == ROLLOUTS
    finally:
        student.close()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("random", PlainLoop),
        ("sec", PlainLoop),
        ("plr", PlainLoop),
        ("robust-plr", RolloutModeLoop),
        ("accel", RolloutModeLoop),
        ("paired", PairedLoop),
    ],
)
def test_built_in_teachers_get_the_loop_of_their_capabilities(name: str, expected: type) -> None:
    space = TaskSpace({"task": 4})
    assert loop_class(make_teacher(name, space, seed=0)) is expected


def test_a_capability_declared_per_instance_without_its_method_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_name = counting_env.register(monkeypatch)
    teacher = SpyTeacher(counting_env.CountingEnv().task_space, seed=0)
    teacher.capabilities = Capabilities(adversarial=True)
    with pytest.raises(TypeError, match="SpyTeacher declares .*adversarial needs end_round"):
        make_student("ppo", env_name, teacher, seed=0, device="cpu")
