"""The env side of the teacher channel: task slots and the curriculum wrapper."""

from __future__ import annotations

import pickle
from multiprocessing import shared_memory

import numpy as np
import pytest

from aclbench.envs import make_env
from aclbench.envs.curriculum import RETURN_KEY, TASK_KEY, CurriculumEnv, TaskSlots


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
