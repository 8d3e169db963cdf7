"""SEC (Chen et al. 2025): TD(0) on absolute advantages, Boltzmann choice; checked by hand."""

import numpy as np
import pytest

from aclbench.envs import make_env, task_env
from aclbench.errors import ConfigError
from aclbench.students import make_student
from aclbench.task_space import TaskSpace
from aclbench.teachers.arms import boltzmann_probabilities
from aclbench.teachers.base import Rollout
from aclbench.teachers.sec import SECTeacher
from tests.students.spies import RecordingListener


def test_values_by_hand() -> None:
    teacher = SECTeacher(TaskSpace({"task": 2}), seed=0, alpha=0.5)
    teacher.update([0], 0.2)  # first episode of the arm: no baseline yet
    assert teacher.values.tolist() == [0.0, 0.0]
    teacher.update([0], 0.6)  # |0.6 - 0.2| = 0.4 -> Q = 0.2
    assert teacher.values[0] == pytest.approx(0.2)
    teacher.update([0], 0.4)  # baseline mean(0.2, 0.6) = 0.4 -> |A| = 0 -> Q = 0.1
    assert teacher.values[0] == pytest.approx(0.1)


def test_choice_is_boltzmann_over_values() -> None:
    teacher = SECTeacher(TaskSpace({"task": 2}), seed=0, temperature=0.1)
    teacher.values = np.array([0.0, 0.1 * np.log(3.0)])  # probabilities 1/4, 3/4
    np.testing.assert_allclose(boltzmann_probabilities(teacher.values, 0.1), [0.25, 0.75])
    picks = [int(teacher.sample_task()[0]) for _ in range(4000)]
    assert 0.72 < np.mean(picks) < 0.78


def test_the_task_in_its_learning_zone_wins() -> None:
    """Success probability 0.5 on task 1 (largest absolute advantage), 0.02 and 0.98 elsewhere."""
    teacher = SECTeacher(TaskSpace({"task": 3}), seed=0, temperature=0.05)
    rng = np.random.default_rng(0)
    plays = np.zeros(3)
    for _ in range(600):
        task = int(teacher.sample_task()[0])
        plays[task] += 1
        teacher.update([task], float(rng.random() < (0.02, 0.5, 0.98)[task]))
    assert plays[1] > 0.6 * plays.sum(), plays


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ConfigError, match="temperature"):
        SECTeacher(TaskSpace({"task": 2}), temperature=-1.0)
    with pytest.raises(ConfigError, match="alpha"):
        SECTeacher(TaskSpace({"task": 2}), alpha=2.0)
    with pytest.raises(
        ConfigError, match="sec: advantage must be one of 'return', 'gae', got 'td'"
    ):
        SECTeacher(TaskSpace({"task": 2}), advantage="td")


def _rollout(tasks: list[list[int]], advantages: list[list[float]]) -> Rollout:
    """``n_steps`` x ``n_envs`` task indices and advantages; the other fields do not matter."""
    shape = np.shape(advantages)
    return Rollout(
        tasks=np.array(tasks, dtype=np.float64)[..., None],
        rewards=np.zeros(shape),
        values=np.zeros(shape),
        advantages=np.array(advantages, dtype=np.float64),
        returns=np.zeros(shape),
        episode_starts=np.zeros(shape, dtype=bool),
    )


def test_gae_reward_is_the_mean_absolute_advantage_of_the_arm_in_the_rollout() -> None:
    """3 steps x 2 envs: env 0 plays task 0; env 1 plays task 1, then task 0 at its last step.
    Task 0: |0.5|, |-0.3|, |0.1|, |-0.5| -> 0.35; task 1: |-0.2|, |0.4| -> 0.3; task 2 unplayed."""
    teacher = SECTeacher(TaskSpace({"task": 3}), seed=0, alpha=0.5, advantage="gae")
    assert teacher.capabilities.rollouts
    rollout = _rollout([[0, 1], [0, 1], [0, 0]], [[0.5, -0.2], [-0.3, 0.4], [0.1, -0.5]])
    assert teacher.rollout_rewards(rollout) == pytest.approx({0: 0.35, 1: 0.3})
    teacher.on_rollout_end(rollout)
    np.testing.assert_allclose(teacher.values, [0.175, 0.15, 0.0])
    teacher.on_rollout_end(_rollout([[1, 1]], [[0.0, 0.1]]))  # task 1: 0.05 -> Q = 0.1
    np.testing.assert_allclose(teacher.values, [0.175, 0.1, 0.0])


def test_gae_falls_back_to_returns_until_rollouts_arrive() -> None:
    teacher = SECTeacher(TaskSpace({"task": 2}), seed=0, alpha=0.5, advantage="gae")
    teacher.update([0], 0.2)
    teacher.update([0], 0.6)  # |0.6 - 0.2| = 0.4 -> Q = 0.2, as with advantage="return"
    assert teacher.values[0] == pytest.approx(0.2)
    teacher.on_rollout_end(_rollout([[0]], [[-0.1]]))  # Q = 0.5 * 0.1 + 0.5 * 0.2
    teacher.update([0], 5.0)  # the rollouts now carry the advantages: returns are ignored
    assert teacher.values.tolist() == pytest.approx([0.15, 0.0])


def test_the_return_estimate_asks_for_no_rollouts_and_ignores_them() -> None:
    teacher = SECTeacher(TaskSpace({"task": 2}), seed=0)
    assert not teacher.capabilities.rollouts
    teacher.on_rollout_end(_rollout([[0]], [[1.0]]))
    assert teacher.values.tolist() == [0.0, 0.0]


def test_gae_on_a_continuous_space_credits_each_step_to_its_bin() -> None:
    teacher = SECTeacher(TaskSpace({"x": (0.0, 1.0)}), seed=0, advantage="gae", bins=2)
    rollout = Rollout(
        tasks=np.array([[[0.1], [0.9]], [[0.2], [0.9]]]),
        rewards=np.zeros((2, 2)),
        values=np.zeros((2, 2)),
        advantages=np.array([[1.0, 0.2], [3.0, -0.4]]),
        returns=np.zeros((2, 2)),
        episode_starts=np.zeros((2, 2), dtype=bool),
    )
    assert teacher.rollout_rewards(rollout) == pytest.approx({0: 2.0, 1: 0.3})


def test_ppo_student_sends_its_rollouts_to_sec_gae() -> None:
    """Smoke through the real student: SB3 PPO on CartPole, two rollouts of 2 x 32 steps."""
    space = task_env(make_env("cartpole")).task_space
    teacher = SECTeacher(space, seed=0, advantage="gae")
    student = make_student(
        "ppo", "cartpole", teacher, seed=0, device="cpu", n_envs=2, n_steps=32, batch_size=64,
        n_epochs=1,
    )  # fmt: skip
    student.learn(128, RecordingListener())
    assert teacher.scored_by_rollouts and np.all(np.isfinite(teacher.values))
    assert (teacher.values > 0).any()
