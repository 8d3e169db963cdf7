"""``paired``: regret by hand, rounds of feedback, and an adversary that learns to find regret."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers.paired import PAIREDTeacher, regret
from aclbench.teachers.random_teacher import RandomTeacher

PLANE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 2.0)})
BIG = 1.7976931348623157e308  # the largest float


@pytest.mark.parametrize(
    ("protagonist", "antagonist", "expected"),
    [
        ([0.2, 0.4], [0.1, 0.9], 0.9 - 0.3),  # best antagonist 0.9, mean protagonist 0.3
        ([0.5], [0.5], 0.0),
        ([0.8, 0.6], [0.5, 0.65], 0.0),  # 0.65 - 0.7 < 0: clipped at 0
        ([-1.0, -3.0], [-1.5], 0.5),  # -1.5 - (-2)
        ([0.0, 0.0, 0.9], [0.0], 0.0),
        ([-BIG, -BIG], [0.0], BIG),  # the sum of the returns overflows, not their mean
        ([-BIG], [BIG], BIG),  # BIG - (-BIG) overflows: capped
        ([BIG, BIG], [BIG], 0.0),
    ],
)
def test_regret_by_hand(protagonist, antagonist, expected) -> None:
    assert regret(protagonist, antagonist) == pytest.approx(expected)


def test_regret_is_undefined_without_both_students() -> None:
    assert math.isnan(regret([], [1.0])) and math.isnan(regret([0.5], []))


def test_end_round_gives_each_level_its_regret_in_build_order() -> None:
    teacher = PAIREDTeacher(PLANE, seed=0)
    a, b, c = (teacher.sample_task() for _ in range(3))
    feedback = [
        (a, 0.2, "protagonist"), (a, 0.4, "protagonist"), (a, 0.9, "antagonist"),
        (a, 0.1, "antagonist"), (b, 1.0, None), (b, 0.5, "antagonist"), (c, 0.3, None),
    ]  # fmt: skip
    for task, value, agent in feedback:
        teacher.update(task, value, info={} if agent is None else {"agent": agent})
    teacher.update(PLANE.low, 5.0, info={"agent": "antagonist"})  # not built: ignored
    regrets = teacher.end_round()
    assert regrets[:2] == pytest.approx([0.6, 0.0]) and math.isnan(regrets[2])
    state = teacher.inner_state()
    assert state["rounds"] == 1 and state["last_round_mean_regret"] == pytest.approx(0.3)
    assert len(teacher.end_round()) == 0  # the round's levels are gone


def test_unknown_agent_and_bad_parameters_are_refused() -> None:
    teacher = PAIREDTeacher(PLANE, seed=0)
    with pytest.raises(ValueError, match="agent.*'referee'"):
        teacher.update(teacher.sample_task(), 0.0, info={"agent": "referee"})
    with pytest.raises(ConfigError, match="paired: epochs must be an integer >= 1, got 0"):
        PAIREDTeacher(PLANE, epochs=0)
    with pytest.raises(ConfigError, match="learning_rate"):
        PAIREDTeacher(PLANE, learning_rate=0.0)


def in_trap(task: np.ndarray) -> bool:
    """The levels the synthetic protagonist fails and the antagonist solves: 15% of the plane."""
    return task[0] > 0.7 and task[1] > 1.0


def share_in_trap(teacher, rounds: int, levels: int = 8) -> float:
    """Play ``rounds`` rounds of synthetic students; the share of levels built in the trap over
    the last quarter of them."""
    hits = []
    for _ in range(rounds):
        tasks = [teacher.sample_task() for _ in range(levels)]
        for task in tasks:
            teacher.update(task, 0.0 if in_trap(task) else 1.0, info={"agent": "protagonist"})
            teacher.update(task, 1.0, info={"agent": "antagonist"})
        hits.append(np.mean([in_trap(t) for t in tasks]))
        if teacher.capabilities.adversarial:
            teacher.end_round()
    return float(np.mean(hits[-rounds // 4 :]))


def test_adversary_learns_to_build_the_levels_of_highest_regret() -> None:
    random_share = share_in_trap(RandomTeacher(PLANE, seed=0), rounds=150)
    paired = PAIREDTeacher(PLANE, seed=0, learning_rate=3e-3)
    paired_share = share_in_trap(paired, rounds=150)
    assert random_share < 0.25
    assert paired_share > 0.6, (random_share, paired_share)
    assert paired.inner_state()["last_round_mean_regret"] > 0.6


def test_same_seed_same_levels_and_the_global_torch_generator_untouched() -> None:
    import torch

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    first, second = PAIREDTeacher(PLANE, seed=7), PAIREDTeacher(PLANE, seed=7)
    assert torch.equal(torch.rand(3), expected)
    share_in_trap(first, rounds=3)
    share_in_trap(second, rounds=3)
    np.testing.assert_array_equal(first.sample_task(), second.sample_task())
    other = PAIREDTeacher(PLANE, seed=8)
    assert not np.array_equal(other.sample_task(), PAIREDTeacher(PLANE, seed=7).sample_task())


def test_regrets_too_large_for_float32_losses_leave_the_adversary_unchanged() -> None:
    # A squared regret of 1e30 overflows float32: the update used to turn every weight to NaN,
    # after which the adversary drew its last action forever.
    import torch

    teacher = PAIREDTeacher(PLANE, seed=0)
    weights = [p.detach().clone() for p in teacher.policy.parameters]
    for value in (1e30, 1e300):
        for _ in range(4):
            level = teacher.sample_task()
            teacher.update(level, 0.0, info={"agent": "protagonist"})
            teacher.update(level, value, info={"agent": "antagonist"})
        np.testing.assert_array_equal(teacher.end_round(), [value] * 4)
    assert all(torch.equal(p, w) for p, w in zip(teacher.policy.parameters, weights))
    assert math.isfinite(teacher.inner_state()["adversary_entropy"])
    share_in_trap(teacher, rounds=3)  # rounds of ordinary regrets still train it
    assert not all(torch.equal(p, w) for p, w in zip(teacher.policy.parameters, weights))
