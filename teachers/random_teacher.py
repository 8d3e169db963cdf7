"""The ``random`` teacher: uniform tasks, i.e. domain randomization.

The baseline every curriculum is compared against (Portelas et al. 2019; TeachMyAgent reports
results as ratios to it).
"""

from __future__ import annotations

from aclbench.task_space import Task
from aclbench.teachers.base import Teacher
from aclbench.teachers.registry import register_teacher


@register_teacher("random")
class RandomTeacher(Teacher):
    """Samples every task uniformly from the task space and ignores feedback."""

    def _sample_task(self) -> Task:
        return self.task_space.sample(self.rng)
