"""A teacher whose process is killed (as the kernel's OOM killer would) in the run of seed 0,
for the executors' tests. Named in suites as ``tests.harness.dying_teacher:DyingTeacher``."""

import os
import signal

from aclbench.task_space import Task
from aclbench.teachers.random_teacher import RandomTeacher


class DyingTeacher(RandomTeacher):
    """Uniform tasks; the process of the seed-0 run dies by SIGKILL at its 50th task."""

    def _sample_task(self) -> Task:
        if self.seed == 0 and self.episodes == 50:
            os.kill(os.getpid(), signal.SIGKILL)
        return super()._sample_task()
