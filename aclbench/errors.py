"""Typed exceptions shared by every aclbench package.

Each message names the value received, what is allowed and, where there is one, the fix, so
that a user sees one clear line instead of a traceback from deep inside a library.
"""

from __future__ import annotations


class ACLBenchError(Exception):
    """Base class of every error aclbench raises on purpose."""


class InvalidTaskError(ACLBenchError, ValueError):
    """A task is out of its space's bounds, NaN, or of the wrong shape."""


class InvalidReturnError(ACLBenchError, ValueError):
    """An episode return fed to a teacher is NaN or infinite."""


class UnknownNameError(ACLBenchError, KeyError):
    """A registry lookup (teacher, env, student) received a name it does not know."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class ConfigError(ACLBenchError, ValueError):
    """A suite or run configuration is malformed: wrong key, type or value."""


class CurriculumError(ACLBenchError, RuntimeError):
    """A teacher and its training envs are wired wrongly: a teacher copied into a worker,
    feedback that never reaches it, or an env that ignores the task it is given."""


class TeacherCopyWarning(UserWarning):
    """A teacher is used in another process than the one it was built in: a copy, made by
    ``fork`` or by pickling (``SubprocVecEnv``, ``AsyncVectorEnv`` workers), whose feedback the
    original teacher never sees."""


def describe_type(kind: type) -> str:
    """``int`` -> "an integer": for messages such as "steps must be an integer"."""
    names = {int: "an integer", float: "a number", str: "a string", dict: "a table", list: "a list"}
    return names.get(kind, f"a {kind.__name__}")
