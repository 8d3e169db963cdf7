"""SB3 students: determinism, evaluation, configuration errors and saving."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
import torch
from stable_baselines3 import PPO

from aclbench.envs import make_env
from aclbench.envs.core import ENVS, EnvEntry, task_env
from aclbench.errors import ConfigError, InvalidReturnError, UnknownNameError
from aclbench.students import make_student
from aclbench.students.hyperparams import default_params
from tests.students import counting_env
from tests.students.spies import RecordingListener, RolloutSpyTeacher, SpyTeacher, key

CARTPOLE = task_env(make_env("cartpole")).task_space
SMALL_PPO = {"n_steps": 64, "batch_size": 64, "n_epochs": 2}


class EvaluatingListener(RecordingListener):
    """Evaluates the student every 100 steps, as the harness does from ``on_steps``."""

    def __init__(self, student) -> None:
        super().__init__()
        self.student = student
        self.scores: list[np.ndarray] = []

    def on_steps(self, env_steps: int) -> None:
        super().on_steps(env_steps)
        if env_steps % 100 == 0:
            self.scores.append(self.student.evaluate(CARTPOLE.grid(2)))


def train_cartpole(
    vec_env: str, seed: int, evaluate_while_training: bool = False
) -> tuple[list, np.ndarray]:
    teacher = SpyTeacher(CARTPOLE, seed=5)
    student = make_student(
        "ppo", "cartpole", teacher, seed=seed, device="cpu", n_envs=2, vec_env=vec_env,
        **SMALL_PPO,
    )  # fmt: skip
    listener = EvaluatingListener(student) if evaluate_while_training else RecordingListener()
    try:
        student.learn(512, listener)
        assert not evaluate_while_training or len(listener.scores) == 5
        feedback = [(key(t), r) for t, r in teacher.received]
        return feedback, student.evaluate(CARTPOLE.grid(2))
    finally:
        student.close()


def test_same_seed_same_training_in_process_and_in_subprocesses() -> None:
    feedback, scores = train_cartpole("dummy", seed=3)
    assert len(feedback) > 10
    for vec_env in ("dummy", "subproc"):
        again_feedback, again_scores = train_cartpole(vec_env, seed=3)
        assert again_feedback == feedback
        np.testing.assert_array_equal(again_scores, scores)
    other_feedback, _ = train_cartpole("dummy", seed=4)
    assert other_feedback != feedback


def test_evaluating_during_training_does_not_change_training() -> None:
    feedback, scores = train_cartpole("dummy", seed=3, evaluate_while_training=True)
    plain_feedback, plain_scores = train_cartpole("dummy", seed=3)
    assert feedback == plain_feedback
    np.testing.assert_array_equal(scores, plain_scores)


@pytest.fixture
def trained_counting(monkeypatch: pytest.MonkeyPatch):
    env_name = counting_env.register(monkeypatch)
    teacher = SpyTeacher(counting_env.CountingEnv().task_space, seed=0)
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=2, n_steps=16, batch_size=32
    )
    student.learn(64, RecordingListener())
    yield student, teacher
    student.close()


def test_evaluate_returns_in_task_order_and_touches_nothing(trained_counting) -> None:
    student, teacher = trained_counting
    rng = np.random.default_rng(0)
    # More tasks than evaluation envs, of lengths 1..4: episodes end out of input order.
    tasks = np.column_stack([rng.integers(1, 5, 21), rng.uniform(0.1, 1.0, 21)])
    teacher_before = (teacher.episodes, teacher.rng.bit_generator.state, len(teacher.proposed))
    queued_before = [key(t) for t in student.venv.env_method("next_task")]
    played_before = [len(s) for s in student.venv.get_attr("started")]
    params_before = {k: v.clone() for k, v in student.model.policy.state_dict().items()}

    scores = student.evaluate(tasks)

    singles = np.array([student.evaluate(t[None])[0] for t in tasks])
    np.testing.assert_array_equal(scores, singles)
    np.testing.assert_array_equal(student.evaluate(tasks[::-1]), scores[::-1])
    lengths, tags = tasks[:, 0], tasks[:, 1]  # a step pays tag * (1 + action), action in {0, 1}
    assert np.all(scores >= lengths * tags - 1e-9) and np.all(scores <= 2 * lengths * tags + 1e-9)
    assert (teacher.episodes, teacher.rng.bit_generator.state, len(teacher.proposed)) == (
        teacher_before
    )
    assert [key(t) for t in student.venv.env_method("next_task")] == queued_before
    assert [len(s) for s in student.venv.get_attr("started")] == played_before
    for k, v in student.model.policy.state_dict().items():
        assert torch.equal(v, params_before[k])


def test_evaluate_rejects_tasks_outside_the_space(trained_counting) -> None:
    student, _ = trained_counting
    with pytest.raises(ValueError, match="length"):
        student.evaluate(np.array([[7.0, 0.5]]))


class BadRewardEnv(counting_env.CountingEnv):
    """Pays ``reward`` (NaN, inf) at every step; fails a test that steps it on and on."""

    def __init__(self, reward: float = float("nan")) -> None:
        super().__init__()
        self.reward, self.steps = reward, 0

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self.steps += 1
        if self.steps > 100:  # the two-step episodes below are long over
            raise RuntimeError("evaluate is still stepping an env whose tasks are all played")
        obs, _, terminated, truncated, info = super().step(action)
        return obs, self.reward, terminated, truncated, info


@pytest.mark.filterwarnings("ignore:.*reward:UserWarning")  # gymnasium's checker warns too
@pytest.mark.parametrize("reward", [float("nan"), float("inf")])
def test_evaluate_refuses_a_return_that_is_not_finite(
    monkeypatch: pytest.MonkeyPatch, reward: float
) -> None:
    gym_id = "aclbench-test/BadReward-v0"
    if gym_id not in gym.registry:
        gym.register(id=gym_id, entry_point=BadRewardEnv)
    monkeypatch.setitem(ENVS._entries, "bad-reward", EnvEntry("bad-reward", gym_id, "test env"))
    space = BadRewardEnv().task_space
    student = make_student(
        "ppo", "bad-reward", SpyTeacher(space, seed=0), seed=0, device="cpu",
        env_kwargs={"reward": reward}, n_envs=1, n_steps=16, batch_size=16,
    )  # fmt: skip
    try:
        expected = rf"env 'bad-reward' returned {reward!r} on evaluation task \{{'length': 2"
        with pytest.raises(InvalidReturnError, match=expected):
            student.evaluate(np.array([[2.0, 0.5], [2.0, 0.25]]))
    finally:
        student.close()


def test_save_writes_a_loadable_model(trained_counting, tmp_path: Path) -> None:
    student, _ = trained_counting
    student.save(tmp_path)
    loaded = PPO.load(tmp_path / "model.zip", device="cpu")
    obs = np.array([[2.0, 0.5, 1.0], [4.0, 0.2, 3.0]], dtype=np.float32)
    np.testing.assert_array_equal(
        loaded.predict(obs, deterministic=True)[0],
        student.model.predict(obs, deterministic=True)[0],
    )


def test_per_env_defaults_and_overrides() -> None:
    teacher = SpyTeacher(CARTPOLE, seed=0)
    with closing(make_student("ppo", "cartpole", teacher, seed=0, device="cpu")) as student:
        assert student.model.n_steps == default_params("ppo", "cartpole")["n_steps"] == 32
        assert student.n_envs == 8 and student.model.gamma == 0.98
        assert student.model.lr_schedule(1.0) == pytest.approx(1e-3)  # "lin_0.001"
        assert student.model.lr_schedule(0.25) == pytest.approx(2.5e-4)
    overrides = {"n_envs": 2, "n_steps": 64, "batch_size": 128, "learning_rate": 0.01}
    with closing(
        make_student("ppo", "cartpole", teacher, seed=0, device="cpu", **overrides)
    ) as student:
        assert (student.n_envs, student.model.n_steps) == (2, 64)
        assert student.model.lr_schedule(0.25) == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_step": 64}, r"aclbench keys: n_envs.*no parameter 'n_step'; accepted: .*n_steps"),
        ({"vec_env": "ray"}, r"vec_env = 'ray'; allowed: dummy, subproc"),
        ({"n_envs": 0}, r"n_envs = 0; expected an integer >= 1"),
        ({"learning_rate": "lin_fast"}, r"'learning_rate' = 'lin_fast'.*lin_<number>"),
    ],
)
def test_bad_hyperparameters_name_the_field(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_student("ppo", "cartpole", SpyTeacher(CARTPOLE, seed=0), seed=0, **params)


def test_off_policy_student_refuses_a_rollout_teacher(monkeypatch: pytest.MonkeyPatch) -> None:
    env_name = counting_env.register(monkeypatch)
    env_kwargs = {"continuous": True}
    teacher = RolloutSpyTeacher(counting_env.CountingEnv(**env_kwargs).task_space, seed=0)
    with pytest.raises(ConfigError, match="on-policy rollouts.*'ppo'"):
        make_student("sac", env_name, teacher, seed=0, env_kwargs=env_kwargs)


def test_algorithm_that_cannot_act_in_the_env_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="student 'sac' cannot train on env 'cartpole'.*Box"):
        make_student("sac", "cartpole", SpyTeacher(CARTPOLE, seed=0), seed=0)


def test_teacher_of_another_task_space_is_refused() -> None:
    other = task_env(make_env("cartpole", pole_length=(0.5, 1.0))).task_space
    with pytest.raises(ConfigError, match="task space"):
        make_student("ppo", "cartpole", SpyTeacher(other, seed=0), seed=0)


def test_unknown_student_suggests_a_close_name() -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'ppo'"):
        make_student("ppp", "cartpole", SpyTeacher(CARTPOLE, seed=0), seed=0)
