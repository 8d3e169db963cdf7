"""The teacher channel: task slots, the env side (CurriculumEnv) and the teacher side
(Curriculum) in Gymnasium's and SB3's vectorized envs, and its misuse."""

from __future__ import annotations

import pickle
from multiprocessing import shared_memory
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

from aclbench.envs import make_env, task_env
from aclbench.envs.curriculum import RETURN_KEY, TASK_KEY, Curriculum, CurriculumEnv, TaskSlots
from aclbench.errors import CurriculumError, InvalidReturnError, InvalidTaskError
from tests.students.spies import SpyTeacher, key

CARTPOLE = task_env(make_env("cartpole")).task_space
TOY = task_env(make_env("toy")).task_space


@pytest.fixture
def slots():
    slots = TaskSlots(n_envs=2, depth=2, n_dims=2)
    yield slots
    slots.unlink()


def test_slots_hold_one_task_per_episode_in_a_ring(slots: TaskSlots) -> None:
    assert slots.read(0, 0) is None
    slots.write(0, 0, [1.0, 2.0])
    slots.write(0, 1, [3.0, 4.0])
    slots.write(1, 0, [5.0, 6.0])
    np.testing.assert_array_equal(slots.read(0, 1), [3.0, 4.0])
    np.testing.assert_array_equal(slots.read(1, 0), [5.0, 6.0])
    slots.write(0, 2, [7.0, 8.0])  # episode 2 reuses episode 0's slot
    assert slots.read(0, 0) is None and slots.read(0, 4) is None
    np.testing.assert_array_equal(slots.read(0, 2), [7.0, 8.0])


def test_a_pickled_copy_shares_the_memory(slots: TaskSlots) -> None:
    other = pickle.loads(pickle.dumps(slots))  # what a worker process receives
    slots.write(1, 3, [0.5, 0.25])
    np.testing.assert_array_equal(other.read(1, 3), [0.5, 0.25])
    other.unlink()  # not the owner: detaches only
    np.testing.assert_array_equal(slots.read(1, 3), [0.5, 0.25])


def test_unlink_frees_the_block() -> None:
    slots = TaskSlots(n_envs=1, depth=2, n_dims=1)
    slots.unlink()
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name=slots.name)


def test_wrapper_plays_written_tasks_and_reports_the_undiscounted_return(
    slots: TaskSlots,
) -> None:
    env = CurriculumEnv(make_env("toy", noise=0.0), slots, index=1)
    slots.write(1, 0, [0.05, 0.05])
    slots.write(1, 1, [0.95, 0.95])
    env.reset(seed=0)
    *_, info = env.step(0)
    np.testing.assert_array_equal(info[TASK_KEY], [0.05, 0.05])
    assert info[RETURN_KEY] == 0.01  # toy: competence of the origin cell after one play
    np.testing.assert_array_equal(env.next_task(), [0.95, 0.95])
    env.reset()
    *_, info = env.step(0)
    np.testing.assert_array_equal(info[TASK_KEY], [0.95, 0.95])
    assert info[RETURN_KEY] == 0.0  # cell (9, 9) cannot be learned yet
    env.reset(options={"task": [0.05, 0.15]})  # an explicit task wins
    *_, info = env.step(0)
    np.testing.assert_array_equal(info[TASK_KEY], [0.05, 0.15])
    assert env.next_task() is None  # nothing written for episode 3: the env draws its own
    env.reset()
    assert env.unwrapped.task in env.unwrapped.task_space


# --- the channel in vectorized envs ---------------------------------------------------------


def gymnasium_loop(envs: gym.vector.VectorEnv, curriculum: Curriculum, steps: int) -> list:
    """Random actions; the (task, return) of every finished episode, from the infos."""
    envs.reset(seed=0)
    curriculum.collect()
    envs.action_space.seed(0)
    finished = []
    for _ in range(steps):
        _, _, terminated, truncated, infos = envs.step(envs.action_space.sample())
        curriculum.collect()
        for e in np.flatnonzero(terminated | truncated):
            finished.append((key(infos[TASK_KEY][e]), infos[RETURN_KEY][e]))
    return finished


def sb3_loop(venv: Any, curriculum: Curriculum, steps: int) -> list:
    venv.reset()
    curriculum.collect()
    finished = []
    for _ in range(steps):
        _, _, dones, infos = venv.step(np.array([venv.action_space.sample()] * venv.num_envs))
        curriculum.collect()
        for e in np.flatnonzero(dones):
            finished.append((key(infos[e][TASK_KEY]), infos[e][RETURN_KEY]))
    return finished


VECTOR_ENVS = {
    "gymnasium-sync": (gym.vector.SyncVectorEnv, gymnasium_loop),
    "gymnasium-async": (gym.vector.AsyncVectorEnv, gymnasium_loop),
    "sb3-dummy": (DummyVecEnv, sb3_loop),
    "sb3-subproc": (SubprocVecEnv, sb3_loop),
}


@pytest.mark.parametrize("kind", VECTOR_ENVS)
def test_every_finished_episode_reaches_the_one_teacher_exactly_once(kind: str) -> None:
    vector_env, loop = VECTOR_ENVS[kind]
    teacher = SpyTeacher(CARTPOLE, seed=1)
    curriculum = Curriculum(teacher, n_envs=3)
    envs = vector_env(curriculum.env_fns("aclbench/CartPole-v0"))
    try:
        playing = curriculum.playing.copy()
        finished = loop(envs, curriculum, 150)
    finally:
        envs.close()
        curriculum.close()
    assert len(finished) > 10
    assert sorted((key(t), r) for t, r in teacher.received) == sorted(finished)
    assert curriculum.delivered == len(finished) == teacher.episodes
    proposed = {key(t) for t in teacher.proposed}
    assert {t for t, _ in finished} <= proposed  # every episode played a teacher's task
    assert len({key(t) for t in playing}) == 3  # each env its own task


def test_a_curriculum_cannot_be_copied_into_worker_processes() -> None:
    curriculum = Curriculum(SpyTeacher(CARTPOLE, seed=0), n_envs=2)
    try:
        with pytest.raises(CurriculumError, match="env_fns"):
            pickle.dumps(curriculum)
        with pytest.raises(CurriculumError, match="main process"):
            SubprocVecEnv([lambda: make_env("cartpole", curriculum=curriculum)] * 2)
    finally:
        curriculum.close()


def test_envs_whose_feedback_never_arrives_stop_with_what_to_do() -> None:
    curriculum = Curriculum(SpyTeacher(TOY, seed=0), n_envs=2)
    envs = gym.vector.SyncVectorEnv(curriculum.env_fns("aclbench/Toy-v0"))
    try:
        envs.reset(seed=0)
        envs.step(np.zeros(2, dtype=np.int64))  # episodes 0 end (toy: one step each)
        envs.step(np.zeros(2, dtype=np.int64))  # reset onto episode 1, queued at the start
        envs.step(np.zeros(2, dtype=np.int64))  # episode 1 ends
        with pytest.raises(CurriculumError, match=r"curriculum.collect\(\)"):
            envs.step(np.zeros(2, dtype=np.int64))  # episode 2: no one wrote its task
    finally:
        envs.close()
        curriculum.close()


class IgnoresTask(gym.Wrapper):
    """An env that drops the task it is given at reset, as CARL once did."""

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> Any:
        return self.env.reset(seed=seed)


class NaNReward(gym.Wrapper):
    def step(self, action: Any) -> Any:
        obs, _, terminated, truncated, info = self.env.step(action)
        return obs, float("nan"), terminated, truncated, info


@pytest.mark.parametrize(
    ("wrapper", "error", "match"),
    [(IgnoresTask, CurriculumError, "ignores the task"), (NaNReward, InvalidReturnError, "nan")],
)
def test_bad_feedback_raises_in_the_main_process_and_records_nothing(
    wrapper: type[gym.Wrapper], error: type[Exception], match: str
) -> None:
    teacher = SpyTeacher(TOY, seed=0)
    curriculum = Curriculum(teacher, n_envs=1)
    env = curriculum.env_fns(lambda: wrapper(make_env("toy")))[0]()
    try:
        env.reset(seed=7)  # not the teacher's seed: the env's own draw differs from its task
        env.step(0)
        for _ in range(2):  # the result stays unread: the same error every time
            with pytest.raises(error, match=match):
                curriculum.collect()
        assert teacher.received == [] and curriculum.delivered == 0
    finally:
        curriculum.close()


def test_a_task_given_at_reset_must_lie_in_the_space_and_is_fed_as_played() -> None:
    teacher = SpyTeacher(TOY, seed=0)
    curriculum = Curriculum(teacher, n_envs=1)
    env = curriculum.env_fns("aclbench/Toy-v0")[0]()
    try:
        refused = curriculum.env_fns("aclbench/Toy-v0")[0]()
        with pytest.raises(InvalidTaskError, match="x0"):
            refused.reset(options={"task": [2.0, 0.5]})
        assert refused.episodes == 0  # no episode started: the channel waits for none
        env.reset(seed=0, options={"task": [0.05, 0.05]})
        env.step(0)
        assert curriculum.collect() == 1
        assert [key(t) for t, _ in teacher.received] == [(0.05, 0.05)]
    finally:
        curriculum.close()


def test_a_reset_cuts_the_episode_under_way_without_feeding_it() -> None:
    teacher = SpyTeacher(CARTPOLE, seed=0)
    curriculum = Curriculum(teacher, n_envs=1)
    env = curriculum.env_fns("aclbench/CartPole-v0")[0]()
    try:
        first, second = curriculum.playing[0].copy(), curriculum.queued[0].copy()
        env.reset(seed=0)
        env.step(0)
        env.reset()  # as SB3's learn() does: the episode did not finish
        assert curriculum.collect() == 0 and teacher.received == []
        np.testing.assert_array_equal(task_env(env).task, second)
        assert not np.array_equal(first, second)
        np.testing.assert_array_equal(env.next_task(), curriculum.queued[0])
    finally:
        curriculum.close()


# --- loops that play the tasks themselves ---------------------------------------------------


def test_report_feeds_each_sampled_task_once() -> None:
    teacher = SpyTeacher(TOY, seed=0)
    curriculum = Curriculum(teacher)
    task = curriculum.sample_task()
    curriculum.report(task, 0.5)
    assert [(key(t), r) for t, r in teacher.received] == [(key(task), 0.5)]
    with pytest.raises(CurriculumError, match="reported already"):
        curriculum.report(task, 0.5)
    with pytest.raises(CurriculumError, match="did not give"):
        curriculum.report([0.5, 0.5], 0.5)
    other = curriculum.sample_task()
    for bad in (float("nan"), "high", None):
        with pytest.raises(InvalidReturnError):
            curriculum.report(other, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidTaskError, match="x1"):
        curriculum.report([0.5, 3.0], 0.5)
    assert len(teacher.received) == 1 and curriculum.delivered == 1
    curriculum.report(other, 1.0)  # still owed: accepted once
    assert curriculum.delivered == 2
    with pytest.raises(CurriculumError, match="n_envs = 0"):
        curriculum.env_fns("aclbench/Toy-v0")


@pytest.mark.parametrize("n_envs", [-1, 1.5, True])
def test_n_envs_must_be_a_count(n_envs: Any) -> None:
    with pytest.raises(CurriculumError, match="n_envs"):
        Curriculum(SpyTeacher(TOY, seed=0), n_envs=n_envs)
