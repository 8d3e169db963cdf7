"""The student registry: learners by name (``ppo``, ``sac``, ``simulated``...).

A plug-in package declares, in its ``pyproject.toml``::

    [project.entry-points."aclbench.students"]
    my-learner = "my_package.module:MyStudent"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aclbench.registry import Registry
from aclbench.students.base import Student
from aclbench.teachers.base import Teacher

STUDENTS: Registry[type[Student]] = Registry(
    "student", entry_point_group="aclbench.students", base=Student
)

S = TypeVar("S", bound=type[Student])


def register_student(name: str) -> Callable[[S], S]:
    """Class decorator: ``@register_student("my-learner")`` makes the class available by name."""
    return STUDENTS.register(name)


def make_student(
    name: str,
    env_name: str,
    teacher: Teacher,
    *,
    seed: int,
    env_kwargs: dict[str, Any] | None = None,
    device: str = "auto",
    **params: Any,
) -> Student:
    """Build the student registered as ``name``; unknown parameters get a ConfigError.

    The names are checked by :meth:`Student.check_param_names`; the SB3 students check them
    against the SB3 algorithm's constructor.
    """
    cls = STUDENTS.get(name)
    cls.check_param_names(params, name=name)
    return cls(env_name, teacher, seed=seed, env_kwargs=env_kwargs, device=device, **params)
