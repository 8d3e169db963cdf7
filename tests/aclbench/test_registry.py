from importlib.metadata import EntryPoint

import pytest

from aclbench import ConfigError, UnknownNameError
from aclbench.registry import Registry, accepted_parameters, check_params


def test_unknown_name_lists_known_names_and_suggests_closest():
    registry: Registry[int] = Registry("widget")
    registry.add("alp-gmm", 1)
    registry.add("covar-gmm", 2)
    assert registry.get("alp-gmm") == 1
    with pytest.raises(UnknownNameError) as err:
        registry.get("alp_gmm")
    assert str(err.value) == (
        "unknown widget 'alp_gmm'. Did you mean 'alp-gmm'? Known widgets: alp-gmm, covar-gmm"
    )


def test_registering_a_name_twice_to_another_object_fails():
    registry: Registry[int] = Registry("widget")
    registry.add("a", 1)
    registry.add("a", 1)  # idempotent
    with pytest.raises(ValueError, match="already registered"):
        registry.add("a", 2)


def test_module_colon_attribute_names_are_imported():
    registry: Registry[object] = Registry("widget")
    assert registry.get("json:dumps") is __import__("json").dumps
    with pytest.raises(UnknownNameError, match="cannot import widget 'json:nope'"):
        registry.get("json:nope")


def test_an_imported_name_must_be_a_subclass_of_the_registry_base():
    registry: Registry[type] = Registry("widget", base=ValueError)
    assert registry.get("json:JSONDecodeError") is __import__("json").JSONDecodeError
    for name, got in (("json:dumps", "<function dum"), ("math:pi", "3.14")):
        with pytest.raises(ConfigError, match=f"widget '{name}' is {got}.*not a ValueError"):
            registry.get(name)
        assert name not in registry  # not listed among the known widgets either


def test_a_broken_plugin_is_left_out_and_the_others_load(monkeypatch):
    """A plug-in that fails to import, or names no base subclass, warns and fails only when it
    is asked for by name; a plug-in whose name is taken warns and leaves the taken one."""
    group = "aclbench.test_widgets"
    plugins = [
        EntryPoint("broken", "no_such_module_xyz:Widget", group),
        EntryPoint("not-a-class", "math:pi", group),
        EntryPoint("decoder", "json:JSONDecodeError", group),
        EntryPoint("taken", "json:JSONDecodeError", group),
    ]
    monkeypatch.setattr(
        "aclbench.registry.entry_points", lambda group: [p for p in plugins if p.group == group]
    )
    registry: Registry[type] = Registry("widget", group, base=ValueError)
    registry.add("taken", KeyError)
    with pytest.warns(UserWarning) as warned:
        assert registry.names() == ["decoder", "taken"]
    messages = " | ".join(str(w.message) for w in warned)
    assert "'broken' = 'no_such_module_xyz:Widget' failed to load: ModuleNotFoundError" in messages
    assert "'not-a-class' = 'math:pi' failed to load: ConfigError" in messages
    assert "'taken' = 'json:JSONDecodeError' ignored: the name is taken by" in messages
    assert registry.get("decoder") is __import__("json").JSONDecodeError
    assert registry.get("taken") is KeyError
    with pytest.raises(ConfigError, match="'broken' = 'no_such_module_xyz:Widget' failed to load"):
        registry.get("broken")


class Base:
    def __init__(self, a: int = 1, *, b: str = "x") -> None:
        self.a, self.b = a, b


class Child(Base):
    def __init__(self, *, c: float = 0.5, b: str = "y", **kwargs: object) -> None:
        super().__init__(b=b, **kwargs)  # type: ignore[arg-type]
        self.c = c


class Open:
    def __init__(self, **kwargs: object) -> None:
        self.kwargs = kwargs


def test_register_decorator_checks_the_base_and_registers():
    registry: Registry[type[Base]] = Registry("widget", base=Base)
    assert registry.register("child")(Child) is Child
    assert registry.get("child") is Child
    with pytest.raises(TypeError, match="registering widget 'open' expects a Base subclass"):
        registry.register("open")(Open)  # type: ignore[type-var]
    assert "open" not in registry


def test_accepted_parameters_follow_kwargs_up_the_class_hierarchy():
    parameters = accepted_parameters(Child)
    assert parameters is not None
    assert list(parameters) == ["c", "b", "a"]  # the subclass's first, then its parent's
    assert parameters["b"].default == "y"  # the subclass's default wins
    assert accepted_parameters(Open) is None  # **kwargs that reach no parent: any name
    check_params(Child, {"a": 2, "b": "z", "c": 1.0}, what="widget 'child'")
    with pytest.raises(ConfigError, match="widget 'child' has no parameter 'd'; accepted: c, b, a"):
        check_params(Child, {"d": 1}, what="widget 'child'")
    check_params(Open, {"anything": 1}, what="widget 'open'")


def test_lazy_names_are_listed_and_imported_only_when_asked_for():
    registry: Registry[object] = Registry("widget")
    registry.add_lazy("dumps", "json:dumps")
    registry.add_lazy("missing", "json:no_such_thing")
    assert registry.names() == ["dumps", "missing"] and "dumps" in registry
    import json

    assert registry.get("dumps") is json.dumps
    with pytest.raises(UnknownNameError, match="has no attribute 'no_such_thing'"):
        registry.get("missing")


def test_a_simulated_run_imports_neither_torch_nor_sb3():
    import subprocess
    import sys

    code = (
        "import sys; import aclbench.harness.runner, aclbench.harness.executors; "
        "from aclbench import students; students.STUDENTS.get('simulated'); "
        "assert 'sac' in students.STUDENTS.names(); "
        "print(sorted(m for m in ('torch', 'stable_baselines3') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
