"""Plug-ins living outside aclbench: a teacher that favours the task dimensions' lower halves,
and an env, the toy bench on a coarser grid."""

import numpy as np

from aclbench.envs.toy import ToyEnv
from aclbench.teachers import Teacher


class LowestFirstTeacher(Teacher):
    """Samples uniformly from the lower half of every dimension (a plug-in example)."""

    def _sample_task(self) -> np.ndarray:
        return self.task_space.from_unit(self.rng.random(len(self.task_space)) / 2)


class CoarseToyEnv(ToyEnv):
    """The toy bench on a 3 x 3 grid of cells (a plug-in example)."""

    def __init__(self, noise: float = 0.0) -> None:
        super().__init__(n_dims=2, cells_per_dim=3, noise=noise)
