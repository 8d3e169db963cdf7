"""``plr`` and ``robust-plr``: scores from hand-computed rollouts, replay decisions, behaviour."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from gymnasium import spaces

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace
from aclbench.teachers import TEACHERS, Rollout, check_teacher, make_teacher
from aclbench.teachers.plr import PLRTeacher, RobustPLRTeacher
from aclbench.teachers.random_teacher import RandomTeacher

LINE = TaskSpace({"x": (0.0, 1.0)})
A, B = np.array([0.1]), np.array([0.9])


def rollout(tasks, advantages, values, rewards, starts, entropies=None, probs=None) -> Rollout:
    """A one-env rollout; ``tasks`` is one task vector per step (``probs`` one row per step)."""
    column = lambda values: np.asarray(values, dtype=np.float64)[:, None]  # noqa: E731
    return Rollout(
        tasks=np.asarray(tasks, dtype=np.float64)[:, None, :],
        rewards=column(rewards),
        values=column(values),
        advantages=column(advantages),
        returns=column(advantages) + column(values),
        episode_starts=np.asarray(starts, dtype=bool)[:, None],
        entropies=None if entropies is None else column(entropies),
        action_probs=None if probs is None else np.asarray(probs, dtype=np.float64)[:, None],
    )


THIRD = 1 / 3
ROLLOUTS = [  # episode on A (3 steps, return 1); B (3 + 2 steps, return 0.5); A again (2 steps)
    rollout(
        [A, A, A, B, B, B],
        advantages=[0.5, -0.2, 0.3, 0.4, -0.6, 0.2],
        values=[0.1, 0.2, 0.3, 0.0, 0.5, 0.4],
        rewards=[0, 0, 1.0, 0, 0, 0],
        starts=[1, 0, 0, 1, 0, 0],
        entropies=[0.6, 0.3, 0.0, 0.5, 0.7, 0.3],
        probs=[
            [0.5, 0.3, 0.2],
            [0.1, 0.8, 0.1],
            [THIRD] * 3,
            [0.6, 0.4, 0],
            [0.2, 0.7, 0.1],
            [0.4, 0.2, 0.4],
        ],
    ),
    rollout(
        [B, B, A, A],
        advantages=[0.1, 0.3, -0.1, 0.1],
        values=[0.6, 0.9, 0.5, 0.3],
        rewards=[0, 0.5, 0, 0],
        starts=[0, 0, 1, 0],
        entropies=[0.2, 0.3, 0.1, 0.3],
        probs=[[0.05, 0.05, 0.9], [0.5, 0.25, 0.25], [0.7, 0.2, 0.1], [0.1, 0.1, 0.8]],
    ),
    rollout(
        [B],
        advantages=[0.0],
        values=[0.0],
        rewards=[0.0],
        starts=[1],
        entropies=[0.4],
        probs=[[0, 1, 0]],
    ),
]


def scores_after(score: str, n_rollouts: int) -> dict[str, float | None]:
    teacher = PLRTeacher(LINE, seed=0, score=score)
    for batch in ROLLOUTS[:n_rollouts]:
        teacher.on_rollout_end(batch)
    found = {name: teacher.buffer.find(task) for name, task in (("A", A), ("B", B))}
    return {n: None if s is None else float(teacher.buffer.scores[s]) for n, s in found.items()}


@pytest.mark.parametrize(
    ("score", "after_one", "after_two", "after_three"),
    [
        # A: mean(max(A_t, 0)) = (0.5 + 0 + 0.3) / 3; B over 5 steps: (0.4 + 0.2 + 0.1 + 0.3) / 5
        ("positive_value_loss", 0.8 / 3, 0.2, 0.1 / 2),
        # A: (0.5 + 0.2 + 0.3) / 3; B: (0.4 + 0.6 + 0.2 + 0.1 + 0.3) / 5
        ("l1_value_loss", 1.0 / 3, 0.32, 0.2 / 2),
        # A: best 1 - mean V 0.2; B: 0.5 - (0 + 0.5 + 0.4 + 0.6 + 0.9) / 5; A again: 1 - 0.4
        ("max_mc", 0.8, 0.02, 0.6),
        # A: (0.6 + 0.3 + 0) / 3; B: (0.5 + 0.7 + 0.3 + 0.2 + 0.3) / 5; A again: (0.1 + 0.3) / 2
        ("policy_entropy", 0.3, 0.4, 0.2),
        # 1 - max prob: A (0.5 + 0.2 + 2/3) / 3; B (0.4 + 0.3 + 0.6 + 0.1 + 0.5) / 5;
        # A again (0.3 + 0.2) / 2
        ("least_confidence", (0.7 + 2 / 3) / 3, 0.38, 0.25),
        # 1 - (top - second): A (0.8 + 0.3 + 1) / 3; B (0.8 + 0.5 + 1 + 0.15 + 0.75) / 5;
        # A again (0.5 + 0.3) / 2
        ("min_margin", 0.7, 0.64, 0.4),
    ],
)
def test_scores_from_hand_computed_rollouts(score, after_one, after_two, after_three) -> None:
    first = scores_after(score, 1)
    assert first["A"] == pytest.approx(after_one) and first["B"] is None  # B still running
    second = scores_after(score, 2)
    assert second["A"] == pytest.approx(after_one) and second["B"] == pytest.approx(after_two)
    third = scores_after(score, 3)
    assert third["A"] == pytest.approx(after_three) and third["B"] == pytest.approx(after_two)


def test_policy_scores_refuse_rollouts_without_the_policys_outputs() -> None:
    bare = rollout([A, A], [0.1, 0.2], [0, 0], [0, 0], [1, 0])
    PLRTeacher(LINE, score="max_mc").on_rollout_end(bare)  # value-based scores need neither
    for score, field in [("policy_entropy", "entropies"), ("least_confidence", "action_probs"),
                         ("min_margin", "action_probs")]:  # fmt: skip
        teacher = PLRTeacher(LINE, score=score)
        with pytest.raises(ConfigError, match=rf"score = '{score}' needs .*Rollout\.{field}"):
            teacher.on_rollout_end(bare)
    with_entropies = rollout([A, A], [0.1, 0.2], [0, 0], [0, 0], [1, 0], entropies=[0.5, 0.5])
    with pytest.raises(ConfigError, match="action_probs"):
        PLRTeacher(LINE, score="min_margin").on_rollout_end(with_entropies)


def test_episode_continued_with_another_task_is_dropped() -> None:
    teacher = PLRTeacher(LINE, seed=0)
    teacher.on_rollout_end(rollout([A, A], [1.0, 1.0], [0, 0], [0, 0], [1, 0]))
    teacher.on_rollout_end(rollout([B, B], [0.0, 0.0], [0, 0], [0, 0], [0, 0]))
    teacher.on_rollout_end(rollout([A], [0.0], [0], [0], [1]))
    assert teacher.buffer.find(A) is None
    assert teacher.buffer.scores[teacher.buffer.find(B)] == 0.0


def test_returns_only_fallback_scores_best_minus_mean_return() -> None:
    teacher = PLRTeacher(LINE, seed=0)
    for value in (0.0, 1.0, 0.5):
        teacher.update(A, value)
    teacher.update(B, 0.7)
    assert teacher.buffer.scores[teacher.buffer.find(A)] == pytest.approx(1.0 - 0.5)
    assert teacher.buffer.scores[teacher.buffer.find(B)] == 0.0
    assert teacher.inner_state()["scored_by"] == "returns"
    teacher.on_rollout_end(ROLLOUTS[0])
    teacher.update(B, 5.0)  # once rollouts arrive, returns no longer score
    assert teacher.buffer.scores[teacher.buffer.find(B)] == 0.0


def test_returns_near_the_float_limit_give_finite_scores_and_replays() -> None:
    big = sys.float_info.max
    teacher = PLRTeacher(LINE, seed=0, transform="power", buffer_size=2, rho=1.0, replay_prob=1.0)
    for value in (big, -big, -big):  # best - mean = 4/3 big overflows: capped at big
        teacher.update(A, value)
    for value in (big, big):  # their sum overflows, their mean does not: best - mean = 0
        teacher.update(B, value)
    assert teacher.buffer.scores[teacher.buffer.find(A)] == big
    assert teacher.buffer.scores[teacher.buffer.find(B)] == 0.0
    probs = teacher.replay_probabilities()  # NaN before: rng.choice raised ValueError
    np.testing.assert_allclose(probs, 0.7 * np.array([1.0, 0.0]) + 0.3 * np.array([0.5, 0.5]))
    tasks = [teacher.sample_task() for _ in range(20)]
    assert all(np.array_equal(t, A) or np.array_equal(t, B) for t in tasks)
    assert teacher.inner_state()["score_mean"] == big / 2


def test_no_replay_until_the_buffer_is_filled_to_rho_then_at_replay_prob() -> None:
    teacher = PLRTeacher(LINE, seed=1, buffer_size=100, rho=0.5, replay_prob=0.3)
    kinds = []
    for _ in range(2000):
        task = teacher.sample_task()
        kinds.append(teacher.replaying)
        assert (teacher.buffer.find(task) is not None) == teacher.replaying
        teacher.update(task, 0.0)
    assert not any(kinds[:50])  # levels 1..50 fill the buffer to one half
    assert kinds[50:].count(True) / 1950 == pytest.approx(0.3, abs=0.04)


def test_begin_rollout_makes_each_rollout_all_replay_or_all_new() -> None:
    teacher = RobustPLRTeacher(LINE, seed=2, buffer_size=10, rho=1.0, replay_prob=0.5)
    assert not RobustPLRTeacher.train_on_new_levels and PLRTeacher.train_on_new_levels
    decisions = []
    for _ in range(300):
        replay = teacher.begin_rollout()
        decisions.append(replay)
        kinds = set()
        for _ in range(8):
            teacher.update(teacher.sample_task(), 0.0)
            kinds.add(teacher.replaying)
        assert kinds == {replay}
    assert not any(decisions[:2])  # 8 + 8 levels fill the 10-level buffer
    assert np.mean(decisions[2:]) == pytest.approx(0.5, abs=0.1)


def test_replays_follow_the_replay_distribution() -> None:
    teacher = PLRTeacher(
        LINE, seed=3, staleness_coef=0.0, temperature=1.0, replay_prob=1.0, buffer_size=3
    )
    for value, score in ((0.0, 0.5), (0.5, 2.0), (1.0, 1.0)):
        teacher.buffer.add([value], score, now=0)
    draws = [float(teacher.sample_task()[0]) for _ in range(3000)]
    shares = [draws.count(v) / 3000 for v in (0.0, 0.5, 1.0)]
    np.testing.assert_allclose(shares, [2 / 11, 6 / 11, 3 / 11], atol=0.03)
    assert teacher.inner_state()["replays"] == 3000


def simulate(teacher, episodes: int = 600, learnable: float = 0.1, lessons: int = 5) -> float:
    """Share of episodes the student learns from: a level below ``learnable`` teaches something
    (GAE of +1 per step) the first ``lessons`` times it is played, then nothing (GAE 0); other
    levels never teach. One episode of 4 steps per rollout, one env."""
    plays: dict[bytes, int] = {}
    learning = 0
    for _ in range(episodes):
        if teacher.capabilities.rollout_mode:
            teacher.begin_rollout()
        task = teacher.sample_task()
        count = plays.get(task.tobytes(), 0)
        teaches = bool(task[0] < learnable and count < lessons)
        plays[task.tobytes()] = count + 1
        learning += teaches
        teacher.update(task, 0.0)
        if teacher.capabilities.rollouts:
            advantage = [1.0 if teaches else 0.0] * 4
            teacher.on_rollout_end(rollout([task] * 4, advantage, [0] * 4, [0] * 4, [1, 0, 0, 0]))
    return learning / episodes


def test_plr_beats_random_where_a_few_levels_teach() -> None:
    kwargs = dict(buffer_size=40, replay_prob=0.5)
    random_share = simulate(RandomTeacher(LINE, seed=0))
    plr_share = simulate(PLRTeacher(LINE, seed=0, **kwargs))
    robust_share = simulate(RobustPLRTeacher(LINE, seed=0, **kwargs))
    assert random_share < 0.15
    assert plr_share > 2.5 * random_share and robust_share > 2.5 * random_share


@pytest.mark.parametrize("name", ["plr", "robust-plr", "accel"])
@pytest.mark.parametrize(
    "space",
    [
        TaskSpace({"x": (0.0, 1.0), "y": (-1.0, 1.0)}),
        TaskSpace({"n": 5, "m": spaces.Discrete(3, start=2)}),
        TaskSpace({"x": (0.0, 3.0)}),
        TaskSpace({f"d{i}": (0.0, 1.0) if i % 2 else 4 for i in range(6)}),
    ],
    ids=["continuous-2d", "discrete", "1d", "mixed-6d"],
)
def test_check_teacher(name: str, space: TaskSpace) -> None:
    check_teacher(TEACHERS.get(name), space, episodes=200)
    check_teacher(TEACHERS.get(name), space, episodes=200, buffer_size=20)  # replays happen


def test_bad_parameters_get_clear_errors() -> None:
    with pytest.raises(ConfigError, match="plr: score must be one of 'positive_value_loss'"):
        make_teacher("plr", LINE, score="gae")
    with pytest.raises(ConfigError, match="temperature"):
        make_teacher("robust-plr", LINE, temperature=0.0)
    with pytest.raises(
        ConfigError, match=r"plr: replay_prob must be a finite number in \[0, 1\], got 1.5"
    ):
        make_teacher("plr", LINE, replay_prob=1.5)
    with pytest.raises(ConfigError, match="n_edits"):
        make_teacher("accel", LINE, n_edits=0)
    with pytest.raises(ConfigError, match="no parameter 'edits'"):
        make_teacher("accel", LINE, edits=3)


def test_teachers_do_not_import_envs() -> None:
    code = "import sys, teachers; assert not any(m.split('.')[0] == 'envs' for m in sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("seed", range(8))
def test_staleness_counts_the_episodes_sampled_since_a_level_was_last_sampled(seed) -> None:
    """P_C(l_i) = (c - C_i) / sum_j (c - C_j), c the episodes sampled so far (Jiang et al.
    2021): the level just played has staleness 0, so with staleness alone two levels alternate,
    and replay_probabilities() is the distribution the next replay draws from."""
    teacher = PLRTeacher(
        LINE, seed=seed, staleness_coef=1.0, replay_prob=1.0, rho=1.0, buffer_size=2
    )
    first = teacher.sample_task()  # a new level, last sampled at episode 1
    teacher.update(first, 0.0)
    second = teacher.sample_task()  # a new level, last sampled at episode 2
    teacher.update(second, 0.0)
    np.testing.assert_allclose(teacher.replay_probabilities(), [1.0, 0.0])  # (2-1, 2-2) / 1
    for expected in (first, second, first, second):
        assert np.array_equal(teacher.sample_task(), expected) and teacher.replaying


def test_a_new_levels_staleness_counts_from_its_sampling_not_its_feedback() -> None:
    """With parallel envs, levels are sampled episodes before their feedback: three levels
    sampled at episodes 1, 2 and 3, fed back afterwards, were last sampled at 1, 2 and 3, and
    the first is the stalest of them."""
    teacher = PLRTeacher(LINE, seed=0, staleness_coef=1.0, replay_prob=1.0, buffer_size=3)
    levels = [teacher.sample_task() for _ in range(3)]
    for level in levels:
        teacher.update(level, 0.0)
    assert teacher.buffer.last_sampled[:3].tolist() == [1, 2, 3]
    assert teacher.sampled_at == {}  # nothing left awaiting feedback
    np.testing.assert_allclose(teacher.replay_probabilities(), [2 / 3, 1 / 3, 0.0])
