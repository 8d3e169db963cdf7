"""The teacher registry: built-in teachers and those of installed plug-in packages.

A plug-in package declares, in its ``pyproject.toml``::

    [project.entry-points."aclbench.teachers"]
    my-teacher = "my_package.module:MyTeacher"

and ``my-teacher`` can then be named in a suite or in ``aclbench run --teacher``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.registry import Registry, accepted_parameters, check_params
from aclbench.task_space import TaskSpace
from aclbench.teachers.base import Teacher, check_expert_knowledge

TEACHERS: Registry[type[Teacher]] = Registry(
    "teacher", entry_point_group="aclbench.teachers", base=Teacher
)

T = TypeVar("T", bound=type[Teacher])

CONSTRUCTOR_ARGS = ("task_space", "seed", "expert_knowledge")
"""The arguments the harness gives teachers (``expert_knowledge`` only to those that use it);
the others are its parameters."""


def register_teacher(name: str) -> Callable[[T], T]:
    """Class decorator: ``@register_teacher("my-teacher")`` makes the class available by name."""
    return TEACHERS.register(name)


def make_teacher(
    name: str,
    task_space: TaskSpace,
    *,
    seed: int | None = None,
    expert_knowledge: ExpertKnowledge | None = None,
    **params: Any,
) -> Teacher:
    """Build the teacher registered as ``name``; unknown parameters get a clear error.

    ``expert_knowledge``: what a run tells teachers about its env (``None``: nothing is
    given, the teacher runs on its parameters). Below the level the teacher needs, ConfigError;
    otherwise a teacher that uses knowledge gets it cut to the level it uses, and one that
    uses none never sees it.
    """
    cls = teacher_class(name, params)
    if expert_knowledge is not None:
        check_expert_knowledge(cls, expert_knowledge.level, name)
        if cls.expert_knowledge_used != "none":
            params = {**params, "expert_knowledge": expert_knowledge.at(cls.expert_knowledge_used)}
    return cls(task_space, seed=seed, **params)


def teacher_class(name: str, params: dict[str, Any]) -> type[Teacher]:
    """The class registered as ``name``, once ``params`` are checked against its constructor."""
    cls = TEACHERS.get(name)
    check_params(cls, params, what=f"teacher {name!r}", skip=CONSTRUCTOR_ARGS)
    return cls


def teacher_params(teacher: Teacher, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every constructor parameter of ``teacher`` with the value it runs with: the one its
    checks resolved (:attr:`Teacher.resolved_params`: a preset's value, a default computed
    from another parameter), else the one ``given`` to the constructor, else the default."""
    parameters = accepted_parameters(type(teacher))
    names = None if parameters is None else set(parameters) - set(CONSTRUCTOR_ARGS)
    values = {
        name: parameter.default
        for name, parameter in (parameters or {}).items()
        if name in (names or ()) and parameter.default is not parameter.empty
    }
    values.update(given)
    values.update(
        (name, value)
        for name, value in teacher.resolved_params.items()
        if names is None or name in names
    )
    return values
