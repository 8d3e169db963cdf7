"""Teacher feedback of the SB3 students: every episode once, with its real task and return."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.students import STUDENTS, make_student
from aclbench.students.sb3 import SB3Student
from aclbench.teachers import Capabilities, make_teacher
from tests.students import counting_env
from tests.students.spies import RecordingListener, RolloutSpyTeacher, SpyTeacher, key

FAST_PARAMS = {
    "ppo": {"n_steps": 16, "batch_size": 32, "n_epochs": 1},
    "a2c": {"n_steps": 5},
    "sac": {"learning_starts": 40, "batch_size": 16, "buffer_size": 1000},
    "td3": {"learning_starts": 40, "batch_size": 16, "buffer_size": 1000},
    "dqn": {"learning_starts": 40, "batch_size": 16, "buffer_size": 1000},
}
CONTINUOUS_ONLY = {"sac", "td3"}
SB3_STUDENTS = [n for n in STUDENTS.names() if issubclass(STUDENTS.get(n), SB3Student)]


def check_exactly_once(student: SB3Student, teacher: SpyTeacher, listener: RecordingListener):
    """Compare the teacher's feedback with what each env recorded having played."""
    started = [[key(t) for t in s] for s in student.venv.get_attr("started")]
    history = [[(key(t), r) for t, r in h] for h in student.venv.get_attr("history")]
    queued = [[key(t)] for t in student.venv.env_method("next_task")]  # fails on None
    received = [(key(t), r) for t, r in teacher.received]
    n_envs = len(started)

    # Every finished episode reached the teacher once, with the env's own task and return.
    assert sorted(received) == sorted(ep for h in history for ep in h)
    assert len(received) >= 3 * n_envs
    # Each env holds one task ahead; every proposal was sent to one env, in order.
    owner = {k: e for e in range(n_envs) for k in started[e] + queued[e]}
    proposed = [key(t) for t in teacher.proposed]
    assert len(set(proposed)) == len(proposed) == len(owner)
    for e in range(n_envs):
        assert [k for k in proposed if owner[k] == e] == started[e] + queued[e]
        assert [ep for ep in received if owner[ep[0]] == e] == history[e]
    # The listener heard the same episodes after the teacher, and every vectorized step.
    assert [(key(t), r) for t, r, _ in listener.episodes] == received
    steps = student.model.num_timesteps
    assert listener.steps == list(range(n_envs, steps + 1, n_envs))


def test_exactly_once_with_subprocess_envs(monkeypatch: pytest.MonkeyPatch) -> None:
    env_name = counting_env.register(monkeypatch)
    teacher = SpyTeacher(counting_env.CountingEnv().task_space, seed=1)
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=4, vec_env="subproc",
        **FAST_PARAMS["ppo"],
    )  # fmt: skip
    listener = RecordingListener()
    try:
        student.learn(200, listener)
        student.learn(64, listener)  # a second call continues the same episodes
        check_exactly_once(student, teacher, listener)
    finally:
        student.close()


@pytest.mark.parametrize("name", SB3_STUDENTS)
def test_every_sb3_student_feeds_back_exactly_once(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_name = counting_env.register(monkeypatch)
    env_kwargs = {"continuous": name in CONTINUOUS_ONLY}
    teacher = SpyTeacher(counting_env.CountingEnv(**env_kwargs).task_space, seed=2)
    student = make_student(
        name, env_name, teacher, seed=0, env_kwargs=env_kwargs, device="cpu", n_envs=2,
        **FAST_PARAMS.get(name, {}),
    )  # fmt: skip
    listener = RecordingListener()
    student.learn(80, listener)
    check_exactly_once(student, teacher, listener)


def test_rollout_hook_gets_every_step_with_its_task(monkeypatch: pytest.MonkeyPatch) -> None:
    env_name = counting_env.register(monkeypatch)
    teacher = RolloutSpyTeacher(counting_env.CountingEnv().task_space, seed=3)
    n_steps, n_envs = 8, 3
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=n_envs, n_steps=n_steps,
        batch_size=24, n_epochs=1,
    )  # fmt: skip
    student.learn(2 * n_steps * n_envs, RecordingListener())

    assert len(teacher.rollouts) == 2
    for r in teacher.rollouts:
        assert r.tasks.shape == (n_steps, n_envs, 2)
        for a in (r.rewards, r.values, r.advantages, r.returns, r.episode_starts):
            assert a.shape == (n_steps, n_envs)
        np.testing.assert_allclose(r.returns, r.advantages + r.values, rtol=1e-5, atol=1e-5)
    tasks = np.concatenate([r.tasks for r in teacher.rollouts])
    starts = np.concatenate([r.episode_starts for r in teacher.rollouts])
    rewards = np.concatenate([r.rewards for r in teacher.rollouts])
    for e, played in enumerate(student.venv.get_attr("started")):
        # Ground truth: each played task repeated for its episode's length (its first entry).
        per_step = [t for t in played for _ in range(int(t[0]))][: 2 * n_steps]
        first = [i == 0 for t in played for i in range(int(t[0]))][: 2 * n_steps]
        np.testing.assert_array_equal(tasks[:, e], per_step)
        np.testing.assert_array_equal(starts[:, e], first)
        tags = tasks[:, e, 1]  # a step pays tag * (1 + action), action in {0, 1}
        assert np.all(np.isclose(rewards[:, e], tags) | np.isclose(rewards[:, e], 2 * tags))


class BufferSpyTeacher(RolloutSpyTeacher):
    """Also copies what SB3 recorded while playing each rollout (actions, log-probabilities)
    and the policy's standard deviation for continuous actions, before the update."""

    capabilities = Capabilities(rollouts=True, policy_outputs=True)
    student: SB3Student

    def _on_rollout_end(self, rollout) -> None:
        super()._on_rollout_end(rollout)
        buffer, policy = self.student.model.rollout_buffer, self.student.model.policy
        std = policy.log_std.exp().item() if hasattr(policy, "log_std") else None
        self.played = [
            *getattr(self, "played", []),
            (buffer.actions.copy(), buffer.log_probs.copy(), std),
        ]


@pytest.mark.parametrize("continuous", [False, True])
def test_rollouts_carry_the_policys_entropies_and_action_probabilities(
    monkeypatch: pytest.MonkeyPatch, continuous: bool
) -> None:
    env_name = counting_env.register(monkeypatch)
    env_kwargs = {"continuous": continuous}
    teacher = BufferSpyTeacher(counting_env.CountingEnv(**env_kwargs).task_space, seed=3)
    n_steps, n_envs = 8, 2
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", env_kwargs=env_kwargs, n_envs=n_envs,
        n_steps=n_steps, batch_size=16, n_epochs=1,
    )  # fmt: skip
    teacher.student = student
    try:
        student.learn(2 * n_steps * n_envs, RecordingListener())
    finally:
        student.close()
    assert len(teacher.rollouts) == len(teacher.played) == 2
    assert (teacher.played[0][2] != teacher.played[1][2]) == continuous  # trained in between
    for r, (actions, log_probs, std) in zip(teacher.rollouts, teacher.played):
        assert r.entropies.shape == (n_steps, n_envs)
        if continuous:  # a Gaussian's entropy: log(std * sqrt(2 pi e)) for the one action
            assert r.action_probs is None
            np.testing.assert_allclose(r.entropies, np.log(std * np.sqrt(2 * np.pi * np.e)))
            continue
        assert r.action_probs.shape == (n_steps, n_envs, 2)
        np.testing.assert_allclose(r.action_probs.sum(-1), 1.0, rtol=1e-6)
        entropy = -(r.action_probs * np.log(r.action_probs)).sum(-1)
        np.testing.assert_allclose(r.entropies, entropy, rtol=1e-5)
        # The probabilities are those of the policy that played: of each action taken, SB3's
        # recorded log-probability.
        taken = np.take_along_axis(r.action_probs, actions.astype(int), axis=-1)[..., 0]
        np.testing.assert_allclose(np.log(taken), log_probs, rtol=1e-5, atol=1e-6)
        assert np.ptp(r.action_probs[..., 0]) > 0  # they differ with the observation


@pytest.mark.parametrize("score", ["policy_entropy", "least_confidence", "min_margin"])
def test_plr_scores_levels_by_the_ppo_students_policy(
    monkeypatch: pytest.MonkeyPatch, score: str
) -> None:
    """Two actions: every score is a mean over steps of a quantity in (0, log 2] or (0, 1/2]."""
    env_name = counting_env.register(monkeypatch)
    teacher = make_teacher("plr", counting_env.CountingEnv().task_space, seed=0, score=score)
    _learn_ppo(env_name, teacher, steps=128, n_steps=16)
    scores = teacher.buffer.scores[: len(teacher.buffer)]
    high = np.log(2) if score == "policy_entropy" else 0.5 if score == "least_confidence" else 1.0
    assert teacher.inner_state()["scored_by"] == "rollouts" and len(scores) > 5
    assert np.all((scores > 0) & (scores <= high + 1e-6)) and np.ptp(scores) > 0  # float32


def test_rollouts_carry_no_policy_outputs_for_a_teacher_that_does_not_ask(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The extra forward pass over each rollout is spent only where a teacher reads it."""
    env_name = counting_env.register(monkeypatch)
    teacher = RolloutSpyTeacher(counting_env.CountingEnv().task_space, seed=3)
    _learn_ppo(env_name, teacher, steps=32, n_steps=8)
    assert len(teacher.rollouts) == 2
    assert all(r.entropies is None and r.action_probs is None for r in teacher.rollouts)


def _learn_ppo(env_name: str, teacher, steps: int, n_steps: int) -> None:
    """PPO on 2 envs, one epoch per rollout of ``n_steps`` each, for ``steps`` env steps."""
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=2, n_steps=n_steps,
        batch_size=2 * n_steps, n_epochs=1,
    )  # fmt: skip
    try:
        student.learn(steps, RecordingListener())
    finally:
        student.close()
