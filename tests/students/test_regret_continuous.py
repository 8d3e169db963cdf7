"""PLR, Robust PLR and ACCEL on continuous task spaces with a real SB3 student, as in dcd's
BipedalWalker experiments: Pendulum's mass, length and gravity, and Stump Tracks' stump height
and spacing, PPO with continuous actions. Episodes are cut to 16 steps so that a short run
finishes many of them; ACCEL's edits are then small perturbations of task vectors."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from aclbench.envs.core import ENVS, EnvEntry, task_env
from aclbench.students import make_student
from aclbench.teachers import make_teacher
from tests.students.spies import RecordingListener

ENTRY_POINTS = {
    "short-pendulum": "aclbench.envs.pendulum:TaskPendulumEnv",
    "short-stump-tracks": "aclbench.envs.stump_tracks:StumpTracksEnv",
}
N_ENVS, N_STEPS, ROLLOUTS = 2, 32, 12
PARAMS = {"buffer_size": 8, "rho": 0.5, "replay_prob": 0.5}


@pytest.fixture(params=list(ENTRY_POINTS))
def short_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """(short name, Gymnasium id) of the env with 16-step episodes."""
    name = request.param
    gym_id = f"aclbench-test/{name}-v0"
    if gym_id not in gym.registry:
        gym.register(id=gym_id, entry_point=ENTRY_POINTS[name], max_episode_steps=16)
    monkeypatch.setitem(ENVS._entries, name, EnvEntry(name, gym_id, ""))
    return name, gym_id


class EditLog:
    """Wraps ``task_space.mutate``: every (parent, child) ACCEL makes."""

    def __init__(self, mutate) -> None:
        self.mutate, self.edits = mutate, []

    def __call__(self, task, rng, n_edits=1):
        child = self.mutate(task, rng, n_edits)
        self.edits.append((np.asarray(task).copy(), child.copy(), n_edits))
        return child


@pytest.mark.parametrize("name", ["plr", "robust-plr", "accel"])
def test_regret_teachers_train_ppo_on_a_continuous_space(
    short_env: tuple[str, str], name: str
) -> None:
    env_name, gym_id = short_env
    space = task_env(gym.make(gym_id)).task_space
    assert not space.discrete.any()
    params = {**PARAMS, "n_edits": 2} if name == "accel" else PARAMS
    teacher = make_teacher(name, space, seed=0, **params)
    log = EditLog(space.mutate)
    space.mutate = log  # the teacher's space is this object: its edits are logged
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=N_ENVS, n_steps=N_STEPS,
        batch_size=N_ENVS * N_STEPS, n_epochs=1, use_sde=False,
    )  # fmt: skip
    listener = RecordingListener()
    try:
        student.learn(ROLLOUTS * N_ENVS * N_STEPS, listener)
    finally:
        student.close()
    state = teacher.inner_state()
    # Scored from the student's rollouts (value predictions), replays and new levels both.
    assert state["scored_by"] == "rollouts" and state["replays"] > 0 and state["new_levels"] > 0
    assert len(listener.episodes) >= ROLLOUTS * N_ENVS * N_STEPS // 16 - N_ENVS
    levels = teacher.buffer.levels[: len(teacher.buffer)]
    assert len(levels) == PARAMS["buffer_size"] and np.isfinite(teacher.buffer.scores).all()
    assert all(np.array_equal(space.validate(level), level) for level in levels)
    skipped = getattr(student.model, "skipped_updates", 0)
    assert (skipped > 0) == (name != "plr")  # Robust PLR and ACCEL: no step on new levels
    if name != "accel":
        assert not log.edits
        return
    # ACCEL: replays are edited, each edit a perturbation of at most 5% of a dimension's
    # range, and the edited levels are played.
    assert state["edited_levels"] > 0 and len(log.edits) >= state["edited_levels"]
    width = space.high - space.low
    for parent, child, n_edits in log.edits:
        step = np.abs(child - parent) / width
        assert 0 < step.max() and step.sum() <= 0.05 * n_edits + 1e-12
    played = {tuple(t) for t, _, _ in listener.episodes}
    assert any(tuple(child) in played for _, child, _ in log.edits)
