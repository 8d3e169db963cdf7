"""A teacher copied into worker processes warns once per copy; a teacher at home never does."""

from __future__ import annotations

import copy
import functools
import multiprocessing
import pickle
import warnings
from concurrent.futures import ProcessPoolExecutor

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import A2C
from stable_baselines3.common.vec_env import SubprocVecEnv

from aclbench.envs import make_env, task_env
from aclbench.envs.curriculum import Curriculum
from aclbench.errors import TeacherCopyWarning
from aclbench.harness.cli import main
from aclbench.students.callback import CurriculumCallback
from aclbench.teachers import make_teacher
from tests.students.hand_wrapped import make_hand_wrapped

CARTPOLE = task_env(make_env("cartpole")).task_space
METHODS = [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()]


def vector_env(kind: str, method: str, teacher) -> SubprocVecEnv | gym.vector.AsyncVectorEnv:
    fns = [functools.partial(make_hand_wrapped, teacher) for _ in range(2)]
    if kind == "sb3":
        return SubprocVecEnv(fns, start_method=method)
    return gym.vector.AsyncVectorEnv(fns, context=method)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("kind", ["sb3", "gymnasium"])
def test_a_teacher_used_inside_workers_warns_once_per_worker(kind, method):
    teacher = make_teacher("random", CARTPOLE, seed=0)
    venv = vector_env(kind, method, teacher)
    try:
        venv.reset()
        rng = np.random.default_rng(0)
        for _ in range(300):  # random actions: episodes of ~20 steps end in every worker
            actions = rng.integers(0, 2, size=2)  # cartpole's two actions
            if kind == "sb3":
                venv.step_async(actions)
                venv.step_wait()
            else:
                venv.step(actions)
        caught = venv.get_attr("copy_warnings")
        worker_updates = venv.get_attr("teacher")
    finally:
        venv.close()
    assert [len(messages) for messages in caught] == [1, 1]
    assert "aclbench.Curriculum" in caught[0][0] and "\n" not in caught[0][0]
    assert teacher.episodes == 0  # the mistake: the main process's teacher learned nothing
    assert all(copy_.episodes > 5 for copy_ in worker_updates)


def test_copies_in_the_same_process_and_restored_state_do_not_warn():
    teacher = make_teacher("again", CARTPOLE, seed=0)  # holds an ALP-GMM teacher of its own
    with warnings.catch_warnings():
        warnings.simplefilter("error", TeacherCopyWarning)
        for other in (copy.deepcopy(teacher), pickle.loads(pickle.dumps(teacher)), teacher):
            task = other.sample_task()
            other.update(task, 1.0)


def copy_warnings(teacher) -> int:
    """Copy warnings ``teacher`` gives over a few episodes."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            teacher.update(teacher.sample_task(), 1.0)
    return sum(w.category is TeacherCopyWarning for w in caught)


def _restore_and_train(state: dict, pickled: bytes) -> tuple[int, int]:
    """In a worker: warnings of a teacher built there from ``state``, and of a copy."""
    restored = make_teacher("again", CARTPOLE, seed=1)
    restored.load_state_dict(state)
    return copy_warnings(restored), copy_warnings(pickle.loads(pickled))


def test_a_teacher_built_in_a_worker_from_a_saved_state_is_at_home():
    teacher = make_teacher("again", CARTPOLE, seed=0)
    for _ in range(3):
        teacher.update(teacher.sample_task(), 1.0)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        restored, copied = pool.submit(
            _restore_and_train, teacher.state_dict(), pickle.dumps(teacher)
        ).result()
    assert (restored, copied) == (0, 1)


def test_curriculum_with_subprocess_workers_does_not_warn():
    teacher = make_teacher("random", CARTPOLE, seed=0)
    curriculum = Curriculum(teacher, n_envs=2)
    venv = SubprocVecEnv(curriculum.env_fns("aclbench/CartPole-v0"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", TeacherCopyWarning)
            model = A2C("MlpPolicy", venv, n_steps=8, seed=0, device="cpu")
            model.learn(400, callback=CurriculumCallback(curriculum))
    finally:
        venv.close()
        curriculum.close()
    assert teacher.episodes == curriculum.delivered > 5


def test_the_harness_suite_with_two_workers_does_not_warn(tmp_path, capfd):
    suite = tmp_path / "small.toml"
    suite.write_text(
        'name = "small"\nenvs = ["toy"]\nteachers = ["alp-gmm"]\nstudents = ["simulated"]\n'
        "seeds = [0, 1]\nsteps = 600\neval_interval = 200\n"
    )
    assert main(["suite", str(suite), "--workers", "2", "--out", str(tmp_path / "out")]) == 0
    captured = capfd.readouterr()  # the workers' stderr too
    assert "TeacherCopyWarning" not in captured.err + captured.out
    assert len(list((tmp_path / "out").glob("**/eval.csv"))) == 2
