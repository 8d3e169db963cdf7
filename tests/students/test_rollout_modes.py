"""Rollouts of one kind for PLR, Robust PLR and ACCEL, and no gradient step on new levels."""

from __future__ import annotations

import pytest
import torch
from stable_baselines3 import PPO

from aclbench.students import make_student
from aclbench.students.rollout_modes import UpdateGate
from aclbench.teachers.accel import ACCELTeacher
from aclbench.teachers.base import Rollout
from aclbench.teachers.plr import PLRTeacher, RobustPLRTeacher
from tests.students import counting_env
from tests.students.spies import RecordingListener, key

N_ENVS, N_STEPS, ROLLOUTS = 2, 8, 14
PLR_PARAMS = {"buffer_size": 4, "rho": 0.5, "replay_prob": 0.5}


def parameters(model: PPO) -> torch.Tensor:
    return torch.cat([p.detach().flatten().clone() for p in model.policy.parameters()])


def watched(teacher_cls: type[PLRTeacher]) -> type[PLRTeacher]:
    """``teacher_cls`` that records each rollout's decision, the policy's parameters when each
    rollout begins, the decision under which every task was sampled, and all feedback."""

    class Watched(teacher_cls):  # type: ignore[valid-type, misc]
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.model: PPO | None = None
            self.decisions: list[bool] = []
            self.snapshots: list[torch.Tensor] = []
            self.sampled: list[tuple[tuple[float, ...], bool, int]] = []
            self.rollouts: list[Rollout] = []
            self.received: list[tuple[tuple[float, ...], float]] = []

        def begin_rollout(self) -> bool:
            assert self.model is not None
            self.snapshots.append(parameters(self.model))
            self.decisions.append(super().begin_rollout())
            return self.decisions[-1]

        def _sample_task(self):
            task = super()._sample_task()
            self.sampled.append((key(task), self.replaying, len(self.decisions) - 1))
            return task

        def _on_rollout_end(self, rollout: Rollout) -> None:
            super()._on_rollout_end(rollout)
            self.rollouts.append(rollout)

        def _update(self, task, episode_return, success, info) -> None:
            super()._update(task, episode_return, success, info)
            self.received.append((key(task), episode_return))

    return Watched


class RolloutPLR(RobustPLRTeacher):
    """PLR's decisions per rollout, with a gradient step on every rollout (dcd's PLR): the
    update gate open on new levels too."""

    train_on_new_levels = True


@pytest.fixture(params=[RolloutPLR, RobustPLRTeacher, ACCELTeacher], ids=lambda c: c.__name__)
def trained(request, monkeypatch: pytest.MonkeyPatch):
    env_name = counting_env.register(monkeypatch)
    space = counting_env.CountingEnv().task_space
    params = {**PLR_PARAMS, "n_edits": 2} if request.param is ACCELTeacher else PLR_PARAMS
    teacher = watched(request.param)(space, seed=4, **params)
    student = make_student(
        "ppo", env_name, teacher, seed=0, device="cpu", n_envs=N_ENVS, n_steps=N_STEPS,
        batch_size=N_ENVS * N_STEPS, n_epochs=1,
    )  # fmt: skip
    teacher.model = student.model
    student.learn(ROLLOUTS * N_ENVS * N_STEPS, RecordingListener())
    teacher.snapshots.append(parameters(student.model))
    yield teacher, student
    student.close()


def test_gradient_step_only_where_the_teacher_trains(trained) -> None:
    teacher, student = trained
    decisions = teacher.decisions
    assert len(decisions) == ROLLOUTS and len(teacher.snapshots) == ROLLOUTS + 1
    assert True in decisions and False in decisions
    assert isinstance(student.model, UpdateGate) and isinstance(student.model, PPO)
    for k, replay in enumerate(decisions):
        changed = not torch.equal(teacher.snapshots[k], teacher.snapshots[k + 1])
        assert changed == (replay or teacher.train_on_new_levels), f"rollout {k} ({replay=})"
    skipped = 0 if teacher.train_on_new_levels else decisions.count(False)
    assert student.model.skipped_updates == skipped


def test_every_step_of_a_rollout_is_on_a_level_of_its_kind(trained) -> None:
    teacher, student = trained
    decisions = teacher.decisions
    assert len(teacher.rollouts) == ROLLOUTS
    # Rollout k may play tasks sampled since the first rollout of its run of equal decisions.
    run_start = [0] * ROLLOUTS
    for k in range(1, ROLLOUTS):
        run_start[k] = run_start[k - 1] if decisions[k] == decisions[k - 1] else k
    by_key: dict[tuple[float, ...], list[tuple[bool, int]]] = {}
    for task, replaying, index in teacher.sampled:
        by_key.setdefault(task, []).append((replaying, index))
    for k, rollout in enumerate(teacher.rollouts):
        for task in {key(t) for t in rollout.tasks.reshape(-1, rollout.tasks.shape[-1])}:
            assert any(
                replaying == decisions[k] and run_start[k] <= index <= k
                for replaying, index in by_key[task]
            ), f"rollout {k} (replay={decisions[k]}) played {task} of another kind"
    assert student.loop.callback.restarts == sum(a != b for a, b in zip(decisions, decisions[1:]))
    assert student.loop.callback.restarts > 0


def test_finished_episodes_reach_the_teacher_once_and_cut_ones_never(trained) -> None:
    teacher, student = trained
    history = [(key(t), r) for h in student.venv.get_attr("history") for t, r in h]
    started = sum(len(s) for s in student.venv.get_attr("started"))
    assert sorted(teacher.received) == sorted(history)
    # Every reset but the first of each env and the one under way ended an episode or cut one:
    # the first rollout restarts the envs (their first tasks predate any decision), then each
    # change of decision.
    cut = started - N_ENVS - len(history)
    assert cut == N_ENVS * (student.loop.callback.restarts + 1)
