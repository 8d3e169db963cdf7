"""The teacher registry: built-in teachers and those of installed plug-in packages.

A plug-in package declares, in its ``pyproject.toml``::

    [project.entry-points."aclbench.teachers"]
    my-teacher = "my_package.module:MyTeacher"

and ``my-teacher`` can then be named in a suite or in ``aclbench run --teacher``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from aclbench.errors import ConfigError
from aclbench.registry import Registry
from aclbench.task_space import TaskSpace
from aclbench.teachers.base import Teacher

TEACHERS: Registry[type[Teacher]] = Registry(
    "teacher", entry_point_group="aclbench.teachers", base=Teacher
)

T = TypeVar("T", bound=type[Teacher])


def register_teacher(name: str) -> Callable[[T], T]:
    """Class decorator: ``@register_teacher("my-teacher")`` makes the class available by name."""

    def decorator(cls: T) -> T:
        if not (isinstance(cls, type) and issubclass(cls, Teacher)):
            raise TypeError(f"@register_teacher({name!r}) expects a Teacher subclass, got {cls!r}")
        TEACHERS.add(name, cls)
        return cls

    return decorator


def make_teacher(
    name: str, task_space: TaskSpace, *, seed: int | None = None, **params: Any
) -> Teacher:
    """Build the teacher registered as ``name``; unknown parameters get a clear error."""
    return teacher_class(name, params)(task_space, seed=seed, **params)


def teacher_class(name: str, params: dict[str, Any]) -> type[Teacher]:
    """The class registered as ``name``, once ``params`` are checked against its constructor."""
    cls = TEACHERS.get(name)
    check_params(cls, params, what=f"teacher {name!r}", skip=("self", "task_space", "seed"))
    return cls


def check_params(
    func: Callable[..., Any], params: dict[str, Any], *, what: str, skip: tuple[str, ...] = ()
) -> None:
    """Raise ConfigError naming the parameters ``func`` does not accept, and those it does."""
    signature = inspect.signature(func)
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    accepted = [n for n in signature.parameters if n not in skip]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ConfigError(
            f"{what} has no parameter {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(accepted) or '(none)'}"
        )
