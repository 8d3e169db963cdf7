"""check_teacher must catch broken teachers, or the conformance test proves nothing."""

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.teachers import Teacher, check_teacher

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})


class GlobalRandomTeacher(Teacher):
    """Draws from numpy's global generator: not reproducible from its seed."""

    def _sample_task(self):
        return np.random.random(2)


class ForgetfulTeacher(Teacher):
    """Keeps part of its state outside the instance, so a restored copy diverges."""

    shared_counter = [0]

    def _sample_task(self):
        self.shared_counter[0] += 1
        return np.full(2, (self.shared_counter[0] % 10) / 10)


class EscapingTeacher(Teacher):
    def _sample_task(self):
        return np.array([1.5, 0.5])


def test_check_teacher_flags_unseeded_randomness():
    with pytest.raises(AssertionError, match="same seed"):
        check_teacher(GlobalRandomTeacher, SPACE, episodes=50)


def test_check_teacher_flags_state_outside_state_dict():
    with pytest.raises(AssertionError, match="restored"):
        check_teacher(ForgetfulTeacher, SPACE, episodes=50)


def test_teacher_cannot_propose_a_task_outside_the_space():
    with pytest.raises(ValueError, match="'x' = 1.5 is outside"):
        EscapingTeacher(SPACE, seed=0).sample_task()
