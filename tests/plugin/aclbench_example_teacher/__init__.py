"""A plug-in teacher living outside aclbench: it favours the task dimensions' lower halves."""

import numpy as np

from aclbench.teachers import Teacher


class LowestFirstTeacher(Teacher):
    """Samples uniformly from the lower half of every dimension (a plug-in example)."""

    def _sample_task(self) -> np.ndarray:
        return self.task_space.from_unit(self.rng.random(len(self.task_space)) / 2)
