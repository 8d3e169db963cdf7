"""One name -> factory registry, used for teachers, envs and students alike.

Modelled on Gymnasium's registry: an unknown name raises an error that lists the known names
and suggests the closest one, instead of the if/elif chains over strings that make adding a
teacher an edit in several places.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import reprlib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Any, Generic, TypeVar

from aclbench.errors import ConfigError, UnknownNameError

T = TypeVar("T")
C = TypeVar("C", bound=type)


class Registry(Generic[T]):
    """Maps names to objects; optionally extended by an entry-point group of installed packages.

    Args:
        kind: what the registry holds ("teacher"), used in error messages.
        entry_point_group: importlib.metadata group whose entries (``name = "module:Object"``)
            are registered the first time the registry is read, so that a ``pip install``-ed
            plug-in appears without any edit to aclbench.
        base: the class a ``"module:attribute"`` name must import a subclass of (``Teacher``),
            so that a name that is no such class gets a clear error instead of one from deep
            inside the caller, and is not listed among the known names.
        adapt: turns what a plug-in or a ``"module:attribute"`` name imports into the entry
            to register, given the name (envs: a Gymnasium env class -> its ``EnvEntry``);
            raises ``ConfigError`` where the object does not fit.
    """

    def __init__(
        self,
        kind: str,
        entry_point_group: str | None = None,
        *,
        base: type | None = None,
        adapt: Callable[[str, Any], T] | None = None,
    ) -> None:
        self.kind = kind
        self.entry_point_group = entry_point_group
        self.base = base
        self.adapt = adapt
        self._entries: dict[str, T] = {}
        self._lazy: dict[str, str] = {}  # name -> "module:attribute", imported when asked for
        self._broken: dict[str, str] = {}  # plug-ins that failed to load: name -> why
        self._plugins_loaded = entry_point_group is None

    def register(self, name: str) -> Callable[[C], C]:
        """Class decorator: ``@registry.register("my-teacher")`` makes the class available by
        name; a class that is not a subclass of ``base`` is refused with a TypeError."""

        def decorator(cls: C) -> C:
            if self.base is not None and not (isinstance(cls, type) and issubclass(cls, self.base)):
                raise TypeError(
                    f"registering {self.kind} {name!r} expects a {self.base.__name__} subclass, "
                    f"got {cls!r}"
                )
            self.add(name, cls)  # type: ignore[arg-type]
            return cls

        return decorator

    def add(self, name: str, obj: T) -> None:
        existing = self._entries.get(name)
        if existing is not None and existing is not obj:
            raise ValueError(f"{self.kind} name {name!r} is already registered to {existing!r}")
        self._entries[name] = obj

    def add_lazy(self, name: str, path: str) -> None:
        """Register ``name`` as ``path`` (``"module:attribute"``), imported at its first
        :meth:`get`: so that a run that never asks for it never pays its imports (the SB3
        students' torch, for a simulated run)."""
        self._lazy[name] = path

    def get(self, name: str) -> T:
        """The object registered as ``name``; a ``"module:attribute"`` name imports it."""
        self._load_plugins()
        if name not in self._entries and name in self._lazy:
            path = self._lazy[name]
            self.add(name, self._entry(name, _import(path, self.kind), path))
        if name not in self._entries and ":" in name:
            self.add(name, self._entry(name, _import(name, self.kind), name))
        try:
            return self._entries[name]
        except KeyError:
            if name in self._broken:
                raise ConfigError(self._broken[name]) from None
            known = self.names()
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}.{hint} Known {self.kind}s: {', '.join(known)}"
            ) from None

    def names(self) -> list[str]:
        self._load_plugins()
        return sorted({*self._entries, *self._lazy})

    def __contains__(self, name: object) -> bool:
        self._load_plugins()
        return name in self._entries or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def _load_plugins(self) -> None:
        """Register the entry points of installed plug-ins. One that fails to import, or names
        no ``base`` subclass, is left out with a warning (and an error when asked for by name)
        rather than breaking every lookup and the other plug-ins; where a plug-in's name is
        taken, the taken one stays, with a warning."""
        if self._plugins_loaded or self.entry_point_group is None:
            return
        self._plugins_loaded = True
        for entry in entry_points(group=self.entry_point_group):
            where = f"{self.kind} plug-in {entry.name!r} = {entry.value!r}"
            if entry.name in self._entries or entry.name in self._lazy:
                taken = self._entries.get(entry.name, self._lazy.get(entry.name))
                warnings.warn(f"{where} ignored: the name is taken by {taken!r}", stacklevel=2)
                continue
            try:
                self.add(entry.name, self._entry(entry.name, entry.load(), entry.value))
            except Exception as err:  # noqa: BLE001 - a broken plug-in must not break the others
                self._broken[entry.name] = f"{where} failed to load: {type(err).__name__}: {err}"
                warnings.warn(self._broken[entry.name], stacklevel=2)

    def _entry(self, name: str, obj: Any, path: str) -> T:
        obj = _check_base(obj, path, self.kind, self.base)
        return self.adapt(name, obj) if self.adapt is not None else obj


def accepted_parameters(func: Callable[..., Any]) -> dict[str, inspect.Parameter] | None:
    """The parameters ``func`` accepts by keyword, by name; ``None`` if it accepts any name.

    For a class, the parameters of its ``__init__`` (``self`` left out), followed up the class
    hierarchy while an ``__init__`` takes ``**kwargs``: a subclass that passes its parent's
    keywords on through ``**kwargs`` accepts them without listing them, and a default the
    subclass lists wins over its parent's. ``**kwargs`` that reach no parent ``__init__``
    accept any name.
    """
    if not isinstance(func, type):
        signature = inspect.signature(func)
        found = _by_keyword(signature.parameters.values())
        return None if _takes_var_keyword(signature) else found
    found = {}
    for cls in func.__mro__:
        if cls is object or "__init__" not in vars(cls):
            continue
        signature = inspect.signature(vars(cls)["__init__"])
        for name, parameter in _by_keyword(list(signature.parameters.values())[1:]).items():
            found.setdefault(name, parameter)
        if not _takes_var_keyword(signature):
            return found
    return None


def _by_keyword(parameters: Iterable[inspect.Parameter]) -> dict[str, inspect.Parameter]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {p.name: p for p in parameters if p.kind in kinds}


def _takes_var_keyword(signature: inspect.Signature) -> bool:
    return any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())


def check_params(
    func: Callable[..., Any], params: Mapping[str, Any], *, what: str, skip: tuple[str, ...] = ()
) -> None:
    """Raise ConfigError naming the parameters ``func`` does not accept, and those it does
    (:func:`accepted_parameters`: a class's are followed up its ``**kwargs``)."""
    parameters = accepted_parameters(func)
    if parameters is None:
        return
    accepted = [n for n in parameters if n not in skip]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise ConfigError(
            f"{what} has no parameter {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(accepted) or '(none)'}"
        )


def import_modules(modules: Iterable[str], where: str = "--import") -> None:
    """Import each of ``modules`` (dotted names), for the teachers, students and envs they
    register by name. A module that is missing or fails to import raises one-line
    ``ConfigError`` naming it and ``where`` it was asked for."""
    for module in modules:
        if not isinstance(module, str) or not module:
            raise ConfigError(f"{where}: expected module names (strings), got {module!r}")
        try:
            importlib.import_module(module)
        except Exception as err:  # noqa: BLE001 - any error of a user's module is one line
            raise ConfigError(
                f"{where}: cannot import module {module!r}: {type(err).__name__}: {err}"
            ) from None


def _import(path: str, kind: str) -> Any:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise UnknownNameError(f"cannot import {kind} {path!r}: {err}") from None
    except Exception as err:  # noqa: BLE001 - a user's module failing is one line, not a trace
        raise ConfigError(
            f"cannot import {kind} {path!r}: importing {module_name!r} raised "
            f"{type(err).__name__}: {err}"
        ) from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise UnknownNameError(
            f"cannot import {kind} {path!r}: module {module_name!r} has no attribute {attribute!r}"
        ) from None


def _check_base(obj: Any, path: str, kind: str, base: type | None) -> Any:
    if base is not None and not (isinstance(obj, type) and issubclass(obj, base)):
        raise ConfigError(
            f"{kind} {path!r} is {reprlib.repr(obj)}, not a {base.__name__} subclass; name a "
            f"class that subclasses {base.__module__}.{base.__name__}"
        )
    return obj
