"""Teacher capabilities: declared on the class (or instance), checked against the methods they
call, and read from the declaration only."""

from __future__ import annotations

import pytest

from aclbench.task_space import TaskSpace
from aclbench.teachers import make_teacher
from aclbench.teachers.base import Capabilities, check_capabilities
from aclbench.teachers.checker import check_teacher
from aclbench.teachers.random_teacher import RandomTeacher

SPACE = TaskSpace({"x": (0.0, 1.0)})


@pytest.mark.parametrize(
    ("declared", "method"),
    [
        ({"rollouts": True}, "_on_rollout_end"),
        ({"evaluations": True}, "_on_evaluation"),
        ({"rollout_mode": True}, "begin_rollout"),
        ({"adversarial": True}, "end_round"),
    ],
)
def test_a_declared_capability_without_its_method_is_refused_when_the_class_is_defined(
    declared: dict[str, bool], method: str
) -> None:
    name = next(iter(declared))
    with pytest.raises(TypeError, match=rf"Broken declares .*{name} needs {method}\(\)"):

        class Broken(RandomTeacher):
            capabilities = Capabilities(**declared)


def test_a_declared_capability_with_its_method_is_accepted() -> None:
    class Decides(RandomTeacher):
        capabilities = Capabilities(rollout_mode=True)

        def begin_rollout(self) -> bool:
            return True

    assert check_capabilities(Decides(SPACE, seed=0)).rollout_mode


def test_capabilities_declared_per_instance_are_checked_by_check_teacher() -> None:
    """An instance may declare more than its class (``capabilities`` set in ``__init__``): the
    class-time check cannot see it, ``check_capabilities`` and ``check_teacher`` do."""

    class LateRoller(RandomTeacher):
        def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
            super().__init__(task_space, seed=seed)
            self.capabilities = Capabilities(adversarial=True)

    with pytest.raises(TypeError, match="LateRoller .*adversarial needs end_round"):
        check_capabilities(LateRoller(SPACE, seed=0))
    with pytest.raises(AssertionError, match="adversarial needs end_round"):
        check_teacher(LateRoller, SPACE, episodes=8)


def test_inconsistent_declarations_are_refused() -> None:
    with pytest.raises(ValueError, match="policy_outputs=True requires rollouts=True"):
        Capabilities(policy_outputs=True)
    with pytest.raises(ValueError, match="adversarial=True excludes rollouts and rollout_mode"):
        Capabilities(adversarial=True, rollout_mode=True)


def test_a_declaration_of_another_type_is_refused() -> None:
    with pytest.raises(TypeError, match="Loose.capabilities must be a Capabilities, got dict"):

        class Loose(RandomTeacher):
            capabilities = {"rollouts": True}  # type: ignore[assignment]


@pytest.mark.parametrize("flag", ["needs_rollouts", "needs_policy_outputs"])
def test_the_old_flags_are_refused_rather_than_silently_ignored(flag: str) -> None:
    with pytest.raises(TypeError, match=f"Stale sets {flag}.*capabilities = Capabilities"):
        type("Stale", (RandomTeacher,), {flag: True})


def test_undeclared_hooks_raise_naming_the_capability() -> None:
    teacher = RandomTeacher(SPACE, seed=0)
    with pytest.raises(NotImplementedError, match="RandomTeacher does not declare rollout_mode"):
        teacher.begin_rollout()
    with pytest.raises(NotImplementedError, match="RandomTeacher does not declare adversarial"):
        teacher.end_round()


@pytest.mark.parametrize(
    ("name", "params", "expected"),
    [
        ("random", {}, Capabilities()),
        ("plr", {}, Capabilities(rollouts=True)),
        ("plr", {"score": "policy_entropy"}, Capabilities(rollouts=True, policy_outputs=True)),
        ("robust-plr", {}, Capabilities(rollouts=True, rollout_mode=True)),
        ("accel", {}, Capabilities(rollouts=True, rollout_mode=True)),
        ("paired", {}, Capabilities(adversarial=True)),
        ("clutr", {}, Capabilities(adversarial=True)),
        ("sec", {"advantage": "gae"}, Capabilities(rollouts=True)),
        ("sec", {}, Capabilities()),
        ("dump", {}, Capabilities(rollouts=True)),
        ("mpts", {}, Capabilities()),
        ("variance", {}, Capabilities()),
    ],
)
def test_built_in_teachers_declare_what_they_use(
    name: str, params: dict, expected: Capabilities
) -> None:
    space = TaskSpace({"task": 4}) if name == "sec" else SPACE
    teacher = make_teacher(name, space, seed=0, **params)
    assert check_capabilities(teacher) == expected


def test_a_declaration_per_instance_travels_with_the_teachers_state() -> None:
    teacher = make_teacher("plr", SPACE, seed=0, score="least_confidence")
    restored = make_teacher("plr", SPACE, seed=1)
    assert not restored.capabilities.policy_outputs
    restored.load_state_dict(teacher.state_dict())
    assert restored.capabilities == teacher.capabilities
    assert restored.capabilities.policy_outputs
