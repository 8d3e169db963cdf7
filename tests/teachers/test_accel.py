"""``accel``: edits of replayed levels, on maze levels and on continuous task spaces."""

from __future__ import annotations

import numpy as np

from aclbench.envs.maze import MazeTaskSpace
from aclbench.task_space import TaskSpace
from aclbench.teachers.accel import ACCELTeacher
from aclbench.teachers.base import Rollout

PLANE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 10.0)})


def one_episode(task: np.ndarray, advantage: float) -> Rollout:
    """One 2-step episode on ``task`` (it ends when the next rollout starts)."""
    full = lambda value: np.full((2, 1), value, dtype=np.float64)  # noqa: E731
    return Rollout(
        tasks=np.tile(task, (2, 1, 1)),
        rewards=full(0.0),
        values=full(0.0),
        advantages=full(advantage),
        returns=full(advantage),
        episode_starts=np.array([[True], [False]]),
    )


def test_a_replay_is_followed_by_its_edited_child() -> None:
    teacher = ACCELTeacher(PLANE, seed=0, n_edits=3, buffer_size=10, rho=1.0, replay_prob=1.0)
    children = 0
    for _ in range(300):
        was_replay = teacher.begin_rollout()
        task = teacher.sample_task()
        assert teacher.replaying == was_replay
        if teacher.replaying:
            child = teacher.sample_task()  # still in the replay rollout: another replay
            teacher.update(child, 0.0)
            assert teacher.begin_rollout() is False  # children pending: an edit rollout
            first_child = teacher.sample_task()
            assert not teacher.replaying
            steps = np.abs(first_child - task) / (PLANE.high - PLANE.low)
            assert steps.max() <= 3 * 0.05 + 1e-12 and np.count_nonzero(steps) >= 1
            children += 1
            teacher.update(first_child, 0.0)
        teacher.update(task, 0.0)
    assert children > 50 and teacher.inner_state()["edited_levels"] > 50


def test_high_regret_children_enter_the_buffer_and_low_ones_do_not() -> None:
    teacher = ACCELTeacher(
        PLANE, seed=1, buffer_size=2, rho=1.0, replay_prob=1.0, score="positive_value_loss"
    )
    parents = [teacher.sample_task() for _ in range(2)]
    for task in [*parents, parents[0]]:  # the third episode closes the second
        teacher.on_rollout_end(one_episode(task, 0.5))  # both parents score 0.5

    def play_child(advantage: float) -> np.ndarray:
        assert teacher.buffer.find(teacher.sample_task()) is not None  # a replay...
        child = teacher.sample_task()  # ...then its edited child
        assert not teacher.replaying and teacher.buffer.find(child) is None
        teacher.on_rollout_end(one_episode(child, advantage))
        teacher.on_rollout_end(one_episode(parents[0], 0.5))  # closes the child's episode
        return child

    assert teacher.buffer.find(play_child(0.1)) is None  # below both stored scores
    high = play_child(0.9)
    assert teacher.buffer.scores[teacher.buffer.find(high)] == 0.9
    assert len(teacher.buffer) == 2


def test_edits_keep_maze_levels_valid() -> None:
    space = MazeTaskSpace(size=7, max_walls=10)
    teacher = ACCELTeacher(space, seed=2, buffer_size=16, n_edits=4)
    rng = np.random.default_rng(0)
    edited = []
    for _ in range(400):
        task = teacher.sample_task()  # validated: raises on an invalid level
        if not teacher.replaying and teacher.inner_state()["edited_levels"] > len(edited):
            edited.append(task)
        teacher.update(task, float(rng.random() < 0.5))
    assert len(edited) > 50
    assert all(space.contains(task) for task in edited)
    assert len({task.tobytes() for task in edited}) > 40  # edits make new levels


def test_empty_room_generator_grows_walls_only_by_edits() -> None:
    space = MazeTaskSpace(size=7, max_walls=0)
    teacher = ACCELTeacher(space, seed=3, buffer_size=8, n_edits=5)
    walls = []
    for _ in range(300):
        task = teacher.sample_task()
        walls.append(task[:49].sum())
        teacher.update(task, float(task[:49].sum() > 0))
    assert max(walls) > 0 and walls[0] == 0
