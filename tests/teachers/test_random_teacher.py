import numpy as np

from aclbench import TaskSpace
from aclbench.teachers import make_teacher


def test_random_teacher_is_uniform_and_ignores_feedback():
    space = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 2.0)})
    teacher = make_teacher("random", space, seed=0)
    reference = make_teacher("random", space, seed=0)
    tasks = []
    for i in range(2000):
        task = teacher.sample_task()
        tasks.append(task)
        teacher.update(task, float(i % 7))
        np.testing.assert_array_equal(task, reference.sample_task())
    tasks = np.array(tasks)
    np.testing.assert_allclose(tasks.mean(axis=0), [0.5, 1.0], atol=0.05)
    assert teacher.episodes == 2000
