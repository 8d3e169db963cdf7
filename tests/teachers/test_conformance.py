"""Every registered teacher, on several kinds of task space, passes ``check_teacher``; and every
teacher class of the package is registered, so that none escapes these checks.

A teacher is covered the day it is registered: nothing here names a particular teacher.
"""

import importlib
import inspect
import pkgutil
import types
from collections.abc import Iterable

import pytest

import aclbench.teachers
from aclbench import TaskSpace
from aclbench.teachers import TEACHERS, Teacher, check_teacher
from aclbench.teachers.random_teacher import RandomTeacher

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
    """A teacher with required parameters (ADR's thresholds) gives its ``example_params``."""
    cls = TEACHERS.get(teacher_name)
    params = getattr(cls, "example_params", {})
    check_teacher(cls, SPACES[space_name], episodes=300, **params)


def package_modules() -> list[types.ModuleType]:
    """Every module of ``aclbench.teachers``, imported (those ``__init__`` forgets too)."""
    package = aclbench.teachers
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    ]


WRAPPERS = {"RuggedTeacher"}
"""Teachers that wrap another one, built by a run key (``rugged``), not by name."""


def unregistered_teachers(modules: Iterable[types.ModuleType]) -> list[str]:
    """The concrete Teacher subclasses defined in ``modules`` that no name is registered to
    (abstract bases such as ``MixtureTeacher`` are left out: they cannot be built)."""
    registered = {TEACHERS.get(name) for name in TEACHERS.names()}
    return [
        f"{module.__name__}.{cls.__name__}"
        for module in modules
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, Teacher)
        and cls.__module__ == module.__name__
        and not inspect.isabstract(cls)
        and cls not in registered
        and cls.__name__ not in WRAPPERS
    ]


def test_every_teacher_class_of_the_package_is_registered():
    modules = package_modules()
    assert len(modules) > 10  # the walk found the package's modules
    assert unregistered_teachers(modules) == []


def test_a_teacher_class_left_unregistered_is_found():
    module = types.ModuleType("aclbench.teachers.forgotten")

    class Forgotten(RandomTeacher):
        __module__ = module.__name__

    module.Forgotten = Forgotten  # type: ignore[attr-defined]
    assert unregistered_teachers([module]) == ["aclbench.teachers.forgotten.Forgotten"]
