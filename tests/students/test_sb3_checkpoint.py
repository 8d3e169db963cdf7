"""SB3 students' checkpoints: loading into a trained student, and the global generators."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

from aclbench.envs import make_env
from aclbench.envs.core import task_env
from aclbench.students import generators, make_student
from aclbench.students.generators import global_generator_states, restore_global_generators
from aclbench.students.sb3 import SB3Student
from aclbench.teachers import make_teacher
from aclbench.teachers.base import Teacher
from tests.students.spies import RecordingListener, SpyTeacher, key

CARTPOLE = task_env(make_env("cartpole")).task_space
# Constant learning rate and clip range: PAIRED refuses schedules.
SMALL_PPO = {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1}
SMALL_PPO |= {"learning_rate": 3e-4, "clip_range": 0.2}


def new_teacher(name: str) -> Teacher:
    return SpyTeacher(CARTPOLE, seed=5) if name == "spy" else make_teacher(name, CARTPOLE, seed=5)


def ppo(teacher: Teacher, vec_env: str) -> SB3Student:
    student = make_student(
        "ppo", "cartpole", teacher, seed=3, device="cpu", vec_env=vec_env, **SMALL_PPO
    )
    assert isinstance(student, SB3Student)
    return student


def resumed_training(student: SB3Student, teacher: Teacher, teacher_state: dict, folder: Path):
    """What ``student`` does after a resume from ``folder``, as the harness resumes."""
    teacher.load_state_dict(teacher_state)
    student.load_checkpoint(folder)
    listener = RecordingListener()
    student.learn(256, listener)
    params = {k: v.clone() for k, v in student.model.policy.state_dict().items()}
    return [(key(t), r, n) for t, r, n in listener.episodes], listener.steps, params


@pytest.mark.parametrize(
    ("teacher_name", "vec_env"),
    # plain channel in and out of process; per-rollout restarts (Robust PLR); PAIRED rounds
    [("spy", "dummy"), ("spy", "subproc"), ("robust-plr", "dummy"), ("paired", "dummy")],
)
def test_load_checkpoint_into_a_trained_student_goes_on_as_a_fresh_student(
    tmp_path: Path, teacher_name: str, vec_env: str
) -> None:
    teacher = new_teacher(teacher_name)
    student = ppo(teacher, vec_env)
    try:
        before = RecordingListener()
        student.learn(256, before)
        student.save_checkpoint(tmp_path)
        teacher_state = teacher.state_dict()
        student.learn(256, RecordingListener())  # past the checkpoint, mid-episode
        episodes, steps, params = resumed_training(student, teacher, teacher_state, tmp_path)
    finally:
        student.close()
    fresh_teacher = new_teacher(teacher_name)
    fresh = ppo(fresh_teacher, vec_env)
    try:
        fresh_episodes, fresh_steps, fresh_params = resumed_training(
            fresh, fresh_teacher, teacher_state, tmp_path
        )
    finally:
        fresh.close()
    assert len(episodes) > 5 and steps[0] == before.steps[-1] + 2  # counts go on
    assert episodes == fresh_episodes and steps == fresh_steps
    for name, value in params.items():
        assert torch.equal(value, fresh_params[name]), name


def test_a_resumed_student_does_not_replay_the_initial_states_of_the_first_episodes(
    tmp_path: Path,
) -> None:
    """SB3's load seeds the envs with the run's seed again: the resumed envs would start from
    the very states the run began with. They get a stream of their own, the same at every
    resume from that checkpoint."""

    def first_states(student: SB3Student) -> np.ndarray:
        student.loop.callback.prime()  # the tasks of the first episodes, as learn writes them
        return np.asarray(student.venv.reset())

    fresh, trained = ppo(new_teacher("spy"), "dummy"), ppo(new_teacher("spy"), "dummy")
    try:
        at_start = first_states(fresh)
        trained.learn(256, RecordingListener())
        trained.save_checkpoint(tmp_path)
    finally:
        fresh.close()
        trained.close()
    resumed = []
    for _ in range(2):
        student = ppo(new_teacher("spy"), "dummy")
        try:
            student.load_checkpoint(tmp_path)
            resumed.append(first_states(student))
        finally:
            student.close()
    assert not np.array_equal(resumed[0], at_start)
    np.testing.assert_array_equal(resumed[0], resumed[1])


def test_checkpoint_restores_the_global_generators(tmp_path: Path) -> None:
    student = ppo(new_teacher("spy"), "dummy")
    try:
        student.save_checkpoint(tmp_path)
        expected = (torch.rand(3), np.random.rand(3))
        student.load_checkpoint(tmp_path)
        assert torch.equal(torch.rand(3), expected[0])
        np.testing.assert_array_equal(np.random.rand(3), expected[1])
    finally:
        student.close()
    saved = pickle.loads((tmp_path / "generators.pkl").read_bytes())
    assert ("torch_cuda" in saved) == torch.cuda.is_initialized()  # a CPU student: not on GPU


class FakeCuda:
    """``torch.cuda``'s generator functions for ``n_devices`` devices, on a machine without."""

    def __init__(self, n_devices: int, *, initialized: bool = True) -> None:
        self.n_devices, self.initialized = n_devices, initialized
        self.states = [torch.tensor([d], dtype=torch.uint8) for d in range(n_devices)]
        self.restored: list[torch.Tensor] | None = None

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        cuda = generators.torch.cuda
        monkeypatch.setattr(cuda, "is_available", lambda: self.n_devices > 0)
        monkeypatch.setattr(cuda, "device_count", lambda: self.n_devices)
        monkeypatch.setattr(cuda, "is_initialized", lambda: self.n_devices > 0 and self.initialized)
        monkeypatch.setattr(cuda, "get_rng_state_all", self._get)
        monkeypatch.setattr(cuda, "set_rng_state_all", self._set)

    def _get(self) -> list[torch.Tensor]:
        self.initialized = True  # as torch's: reading the states starts CUDA in the process
        return list(self.states)

    def _set(self, states: list[torch.Tensor]) -> None:
        self.restored = list(states)


def test_cuda_generators_are_saved_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeCuda(2).install(monkeypatch)
    states = global_generator_states()
    assert [int(s[0]) for s in states["torch_cuda"]] == [0, 1]
    target = FakeCuda(2)
    target.install(monkeypatch)
    restore_global_generators(states)
    assert target.restored is not None
    assert [int(s[0]) for s in target.restored] == [0, 1]


@pytest.mark.parametrize("n_devices", [0, 1])
def test_cuda_generators_of_another_machine_are_skipped(
    monkeypatch: pytest.MonkeyPatch, n_devices: int
) -> None:
    FakeCuda(2).install(monkeypatch)
    states = global_generator_states()
    target = FakeCuda(n_devices)
    target.install(monkeypatch)
    restore_global_generators(states)  # no error: a GPU checkpoint resumed elsewhere goes on
    assert target.restored is None
    expected = torch.rand(2)
    restore_global_generators(states)
    assert torch.equal(torch.rand(2), expected)  # the CPU generator is still restored


def test_cpu_checkpoint_restores_without_cuda_state(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeCuda(0).install(monkeypatch)
    states = global_generator_states()
    assert "torch_cuda" not in states
    target = FakeCuda(1)
    target.install(monkeypatch)
    restore_global_generators(states)
    assert target.restored is None


def test_a_cpu_run_on_a_gpu_machine_never_starts_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading CUDA's generators starts CUDA (a context of hundreds of MB per run, an error on
    GPUs in exclusive mode); a process that never started it drew nothing from them."""
    cuda = FakeCuda(2, initialized=False)
    cuda.install(monkeypatch)
    states = global_generator_states()
    assert "torch_cuda" not in states and not cuda.initialized
