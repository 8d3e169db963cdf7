"""A plug-in teacher for the profile's tests: uniform tasks, refusing discrete task spaces."""

from aclbench.errors import ConfigError
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Teacher


class ContinuousOnly(Teacher):
    """Uniform tasks on continuous spaces only."""

    def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
        if task_space.discrete.any():
            raise ConfigError("ContinuousOnly: needs a continuous task space")
        super().__init__(task_space, seed=seed)

    def _sample_task(self) -> Task:
        return self.task_space.sample(self.rng)
