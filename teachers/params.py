"""Checks of teacher constructor parameters: one place, one message format.

Every built-in teacher checks its parameters here, so that a bad value from a suite file, from
``aclbench run -p teacher.KEY=VALUE`` or from Python raises :class:`~aclbench.errors.ConfigError`
with one line that names the teacher, the parameter, what is allowed and the value received::

    plr: buffer_size must be an integer >= 1, got 2.5

Rules shared by all teachers:

- a bool is never a number (``True`` would otherwise pass as 1);
- numbers must be finite (NaN would pass every range test, as comparisons with it are false);
- an integer parameter takes an int or a float with no fractional part, converted to int:
  TOML and ``-p`` read ``4e3`` and ``4000.0`` as floats, and they name 4000 exactly; ``2.5``
  is refused rather than rounded;
- a real parameter takes an int or a float and is returned as a float.

The ``owner`` of a check is the teacher being built (``self``), whose registered name the
message gives (looked up only when a check fails), or a name given as a string. A check that
passes notes the value on a teacher owner (:func:`record`): it is the value the teacher runs
with, a preset's or one computed from other parameters included, which the run writes to
``teacher_params.json`` (:func:`~teachers.registry.teacher_params`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import numpy as np

from aclbench.errors import ConfigError
from aclbench.teachers.base import Teacher
from aclbench.teachers.registry import TEACHERS

Owner = Teacher | str
"""Whose parameter is checked: a teacher instance, or the name to print."""

V = TypeVar("V")


def record(owner: Owner, name: str, value: V) -> V:
    """Note ``value`` as the one teacher ``owner`` runs with for parameter ``name``, in its
    :attr:`~teachers.base.Teacher.resolved_params`, and return it."""
    if isinstance(owner, Teacher):
        owner.resolved_params[name] = value
    return value


def teacher_name(owner: Owner) -> str:
    """The name ``owner``'s class is registered under (its class name if it is not)."""
    if isinstance(owner, str):
        return owner
    cls = type(owner)
    return next((name for name in TEACHERS.names() if TEACHERS.get(name) is cls), cls.__name__)


def config_error(owner: Owner, message: str) -> ConfigError:
    """A ConfigError whose message starts with the teacher's name."""
    return ConfigError(f"{teacher_name(owner)}: {message}")


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _as_int(value: Any) -> int | None:
    """``value`` as an int if it is an integer or an integral float, else ``None``."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if _is_real(value) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    return None


def check_int(owner: Owner, name: str, value: Any, minimum: int) -> int:
    """``value`` as an int ``>= minimum``; an integral float (``4e3``) is accepted."""
    number = _as_int(value)
    if number is None or number < minimum:
        raise config_error(owner, f"{name} must be an integer >= {minimum}, got {value!r}")
    return record(owner, name, number)


def check_number(
    owner: Owner,
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    above_low: bool = False,
) -> float:
    """``value`` as a finite float in ``[low, high]`` (``(low, high]`` with ``above_low``)."""
    ok = _is_real(value) and math.isfinite(value) and value <= high
    ok = ok and (value > low if above_low else value >= low)
    if not ok:
        if high == math.inf:
            allowed = f"{'>' if above_low else '>='} {low:g}"
        else:
            allowed = f"in {'(' if above_low else '['}{low:g}, {high:g}]"
        raise config_error(owner, f"{name} must be a finite number {allowed}, got {value!r}")
    return record(owner, name, float(value))


def check_positive(owner: Owner, name: str, value: Any) -> float:
    """``value`` as a finite float ``> 0``."""
    return check_number(owner, name, value, 0.0, above_low=True)


def check_fraction(owner: Owner, name: str, value: Any) -> float:
    """``value`` as a float in ``[0, 1]``."""
    return check_number(owner, name, value, 0.0, 1.0)


def check_bool(owner: Owner, name: str, value: Any) -> bool:
    """``value`` if it is ``True`` or ``False`` (a numpy bool too): 0, 1 or "no" are refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise config_error(owner, f"{name} must be true or false, got {value!r}")
    return record(owner, name, bool(value))


def check_choice(owner: Owner, name: str, value: Any, allowed: Iterable[str]) -> str:
    """``value`` if it is one of the strings ``allowed``."""
    names = list(allowed)
    if not (isinstance(value, str) and value in names):
        raise config_error(
            owner, f"{name} must be one of {', '.join(map(repr, names))}, got {value!r}"
        )
    return record(owner, name, value)


def check_k_range(owner: Owner, k_range: Any) -> tuple[int, int]:
    """``(k_min, k_max)``, both included, integers with ``1 <= k_min <= k_max``."""
    ks = [_as_int(k) for k in k_range] if isinstance(k_range, Sequence) else []
    k_min, k_max = ks if len(ks) == 2 else (None, None)
    if k_min is None or k_max is None or not 1 <= k_min <= k_max:
        raise config_error(
            owner,
            "k_range must be (k_min, k_max) with integers 1 <= k_min <= k_max (numbers of "
            f"Gaussians tried, both included), got {k_range!r}",
        )
    return record(owner, "k_range", (k_min, k_max))
