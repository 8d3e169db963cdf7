"""easy-to-hard: a box around the easy task that widens at a fixed pace."""

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.errors import ConfigError
from aclbench.teachers import make_teacher

SPACE = TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)})


def play(teacher, episodes):
    tasks = []
    for _ in range(episodes):
        tasks.append(teacher.sample_task())
        teacher.update(tasks[-1], 0.0)
    return np.array(tasks)


def test_box_starts_at_the_easy_task_and_covers_the_space_at_the_end():
    teacher = make_teacher(
        "easy-to-hard",
        SPACE,
        seed=0,
        easy_task={"height": 0.0, "spacing": 6.0},
        initial_width=0.1,
        episodes_to_full=1000,
    )
    box = teacher.inner_state()["box"]  # half-width 0.05 of the range around (0, 6)
    np.testing.assert_allclose([box["low"], box["high"]], [[0.0, 5.7], [0.15, 6.0]])
    first = play(teacher, 100)
    widest = 0.05 + 0.099 * 0.95  # half-width after 99 episodes
    assert first[:, 0].max() <= 3.0 * widest and first[:, 1].min() >= 6.0 - 6.0 * widest
    play(teacher, 400)  # half way: half-width 0.05 + 0.5 * 0.95 of the range
    box = teacher.inner_state()["box"]
    np.testing.assert_allclose(box["low"], [0.0, 6.0 - 0.525 * 6.0])
    np.testing.assert_allclose(box["high"], [0.525 * 3.0, 6.0])
    play(teacher, 500)
    assert teacher.inner_state()["box"] == {"low": [0.0, 0.0], "high": [3.0, 6.0]}
    late = play(teacher, 2000)
    np.testing.assert_allclose(late.mean(axis=0), [1.5, 3.0], atol=0.1)  # uniform


def test_default_easy_task_is_the_low_corner():
    teacher = make_teacher("easy-to-hard", SPACE, seed=0)
    assert teacher.inner_state()["easy_task"] == [0.0, 0.0]
    assert np.all(play(teacher, 50) <= [0.3, 0.6])


def test_centred_easy_task_reaches_both_sides():
    teacher = make_teacher("easy-to-hard", SPACE, seed=0, easy_task=[1.5, 3.0], episodes_to_full=10)
    play(teacher, 10)
    assert teacher.inner_state()["box"] == {"low": [0.0, 0.0], "high": [3.0, 6.0]}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"easy_task": [4.0, 0.0]}, "easy_task"),
        ({"initial_width": 2.0}, "initial_width"),
        ({"episodes_to_full": 0}, "episodes_to_full"),
    ],
)
def test_invalid_parameters(params, field):
    with pytest.raises(ConfigError, match=field):
        make_teacher("easy-to-hard", SPACE, seed=0, **params)
