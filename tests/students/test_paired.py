"""PAIRED rounds of an SB3 student: both students on the adversary's levels, every episode fed
back with its student, regrets from those returns, and a run through the CLI on the maze."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import torch

from aclbench.errors import ConfigError
from aclbench.harness.cli import main
from aclbench.students import make_student
from aclbench.teachers.paired import PAIREDTeacher, regret
from tests.students import counting_env
from tests.students.spies import RecordingListener, key

N_ENVS, N_STEPS, ROUNDS = 2, 8, 3


class SpyPAIRED(PAIREDTeacher):
    """Records the levels of each round, every feedback and every round's regrets."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.built: list[tuple[float, ...]] = []
        self.feedback: list[tuple[str, tuple[float, ...], float, bool]] = []
        self.regrets: list[np.ndarray] = []

    def _sample_task(self):
        task = super()._sample_task()
        self.built.append(key(task))
        return task

    def _update(self, task, episode_return, success, info) -> None:
        super()._update(task, episode_return, success, info)
        finished = info.get("finished", True)
        self.feedback.append((info["agent"], key(task), episode_return, finished))

    def end_round(self) -> np.ndarray:
        self.regrets.append(super().end_round())
        return self.regrets[-1]


def train(monkeypatch: pytest.MonkeyPatch, seed: int = 0):
    env_name = counting_env.register(monkeypatch)
    env_kwargs = {"max_length": 12}  # some episodes outlast a rollout of 8 steps
    teacher = SpyPAIRED(counting_env.CountingEnv(**env_kwargs).task_space, seed=seed)
    student = make_student(
        "ppo", env_name, teacher, seed=seed, env_kwargs=env_kwargs, device="cpu",
        n_envs=N_ENVS, n_steps=N_STEPS, batch_size=N_ENVS * N_STEPS, n_epochs=1,
    )  # fmt: skip
    listener = RecordingListener()
    student.learn(ROUNDS * 2 * N_ENVS * N_STEPS, listener)
    return teacher, student, listener


@pytest.fixture
def trained(monkeypatch: pytest.MonkeyPatch):
    teacher, student, listener = train(monkeypatch)
    yield teacher, student, listener
    student.close()


def test_both_students_replay_the_adversarys_levels(trained) -> None:
    teacher, student, listener = trained
    paired = student.loop
    assert paired.rounds == ROUNDS and len(teacher.built) == ROUNDS * N_ENVS
    owner = {level: divmod(i, N_ENVS) for i, level in enumerate(teacher.built)}  # (round, env)
    for venv in (student.venv, paired.venv):
        for e, started in enumerate(venv.get_attr("started")):
            rounds = [owner[key(t)] for t in started[1:]]  # the first is SB3's initial reset
            assert all(env == e for _, env in rounds)
            assert sorted(rounds) == rounds and {r for r, _ in rounds} == set(range(ROUNDS))
    assert paired.env_steps() == ROUNDS * 2 * N_ENVS * N_STEPS == listener.steps[-1]
    assert student.model.num_timesteps == paired.antagonist.num_timesteps


def test_every_episode_reaches_the_teacher_with_its_student(trained) -> None:
    teacher, student, listener = trained
    paired = student.loop
    for agent, venv in (("protagonist", student.venv), ("antagonist", paired.venv)):
        history = [(key(t), r) for h in venv.get_attr("history") for t, r in h]
        finished = [(t, r) for a, t, r, done in teacher.feedback if a == agent and done]
        assert sorted(finished) == sorted(history) and len(history) > 0
    protagonist = [(t, r) for a, t, r, done in teacher.feedback if a == "protagonist" and done]
    assert [(key(t), r) for t, r, _ in listener.episodes] == protagonist
    # A student that finished nothing on a level in a round reports its unfinished episode once.
    unfinished = [(a, t) for a, t, _, done in teacher.feedback if not done]
    assert len(unfinished) == len(set(unfinished)) > 0
    assert not {(a, t) for a, t, _, done in teacher.feedback if done} & set(unfinished)


def test_regrets_come_from_the_reported_returns(trained) -> None:
    teacher, _, _ = trained
    returns: dict[tuple[str, tuple[float, ...]], list[float]] = defaultdict(list)
    for agent, task, value, _ in teacher.feedback:
        returns[agent, task].append(value)
    for r, regrets in enumerate(teacher.regrets):
        levels = teacher.built[r * N_ENVS : (r + 1) * N_ENVS]
        expected = [regret(returns["protagonist", t], returns["antagonist", t]) for t in levels]
        np.testing.assert_allclose(regrets, expected)
    assert teacher.inner_state()["rounds"] == ROUNDS


def test_two_students_learning_apart(trained) -> None:
    _, student, _ = trained
    protagonist = [p.detach() for p in student.model.policy.parameters()]
    antagonist = [p.detach() for p in student.loop.antagonist.policy.parameters()]
    assert not all(torch.equal(a, b) for a, b in zip(protagonist, antagonist))


def test_same_seed_same_rounds(monkeypatch: pytest.MonkeyPatch, trained) -> None:
    teacher, _, _ = trained
    again, student, _ = train(monkeypatch)
    student.close()
    assert again.feedback == teacher.feedback and again.built == teacher.built


def test_schedules_and_off_policy_students_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    env_name = counting_env.register(monkeypatch)
    space = counting_env.CountingEnv().task_space
    with pytest.raises(ConfigError, match="schedules.*learning_rate"):
        make_student("ppo", env_name, PAIREDTeacher(space), seed=0, learning_rate="lin_0.001")
    continuous = {"continuous": True}
    with pytest.raises(ConfigError, match="on-policy"):
        make_student("sac", env_name, PAIREDTeacher(space), seed=0, env_kwargs=continuous)


def test_paired_runs_through_the_cli_on_the_maze(tmp_path: Path) -> None:
    out = tmp_path / "run"
    params = ["env.size=7", "env.max_walls=8", "env.max_steps=48", "student.n_envs=2",
              "student.n_steps=64", "student.batch_size=64", "student.n_epochs=2"]  # fmt: skip
    argv = ["run", "--env", "maze", "--teacher", "paired", "--student", "ppo", "--steps", "512"]
    argv += [f"--param={p}" for p in params] + ["--device", "cpu", "--out", str(out)]
    assert main(argv) == 0
    assert json.loads((out / "status.json").read_text())["state"] == "done"
    evals = (out / "eval.csv").read_text().splitlines()
    assert len(evals) >= 3 and evals[-1].startswith("512,")
    assert (out / "model.zip").exists() and (out / "antagonist.zip").exists()
    last = json.loads((out / "teacher_log.jsonl").read_text().splitlines()[-1])
    assert last["state"]["rounds"] == 2 and last["state"]["levels_built"] == 4
