"""Every registered teacher, on several kinds of task space, passes ``check_teacher``.

A teacher is covered the day it is registered: nothing here names a particular teacher.
"""

import pytest

from aclbench import TaskSpace
from aclbench.teachers import TEACHERS, check_teacher

SPACES = {
    "2d": TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)}),
    "1d": TaskSpace({"x": (-1.0, 1.0)}),
    "6d": TaskSpace({f"x{i}": (0.0, 1.0) for i in range(6)}),
    "set": TaskSpace({"task": 5}),
    "mixed": TaskSpace({"size": 3, "gravity": (-20.0, 0.0)}),
}


@pytest.mark.parametrize("space_name", SPACES)
@pytest.mark.parametrize("teacher_name", TEACHERS.names())
def test_registered_teacher_passes_check_teacher(teacher_name, space_name):
    check_teacher(TEACHERS.get(teacher_name), SPACES[space_name], episodes=300)
