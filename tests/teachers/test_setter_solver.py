"""``setter-solver``: the success definition, the training schedule, the flow's densities, the
judge and the setter following success, exact state round trip, and the toy bench against
random (figures in the test's docstring)."""

import math
import pickle

import numpy as np
import pytest
import torch

from aclbench import TaskSpace
from aclbench.errors import ConfigError
from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.teachers import make_teacher
from benchmarks.perf.teachers_toy import run_toy

UNIT_1D = TaskSpace({"x": (0.0, 1.0)})
UNIT_2D = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
LOW = ExpertKnowledge.from_mastery(0.5, (0.0, 1.0)).at("low")


def test_it_needs_a_success_definition():
    with pytest.raises(ConfigError, match="setter-solver: needs a success definition"):
        make_teacher("setter-solver", UNIT_1D, seed=0)
    teacher = make_teacher("setter-solver", UNIT_1D, seed=0, expert_knowledge=LOW)
    assert teacher.success_threshold == 0.5
    given = make_teacher(
        "setter-solver", UNIT_1D, seed=0, success_threshold=2.0, expert_knowledge=LOW
    )
    assert given.success_threshold == 2.0  # a given parameter wins over the knowledge


def test_successes_and_the_training_schedule():
    teacher = make_teacher(
        "setter-solver", UNIT_1D, seed=0, update_frequency=4, expert_knowledge=LOW
    )
    tasks = [teacher.sample_task() for _ in range(3)]
    teacher.update(tasks[0], 0.6)  # above 0.5: a success
    teacher.update(tasks[1], 0.5)  # the threshold itself is no success
    teacher.update(tasks[2], 0.0, success=True)  # the harness's flag wins
    assert teacher.successes == [True, False, True]
    assert [p[3] for p in teacher.proposals] == [True, False, True]
    teacher.update([0.25], 1.0)  # not proposed: the judge's only; the 4th episode trains
    assert teacher.trainings == 1
    assert teacher.successes == [] and teacher.proposals == [] and len(teacher.goals) == 0
    state = teacher.inner_state()
    assert state["trainings"] == 1 and state["last_success_rate"] == 0.75
    assert all(math.isfinite(state[f"{k}_loss"]) for k in ("judge", "validity", "coverage"))


def test_the_flow_density_is_exact():
    """The setter's log density of its own samples equals the inverse pass's, and integrates
    to 1 over the square (grid estimate), for any feasibility."""
    nets = make_teacher("setter-solver", UNIT_2D, seed=1, expert_knowledge=LOW).nets
    rng = np.random.default_rng(0)
    z = torch.as_tensor(rng.standard_normal((64, 2)), dtype=torch.float32)
    f = torch.full((64, 1), 0.3)
    with torch.no_grad():
        goals, log_p = nets.setter.sample(z, f)
        again = nets.setter.log_prob(goals, f)
        np.testing.assert_allclose(log_p.numpy(), again.numpy(), atol=2e-3)
        side = (np.arange(40) + 0.5) / 40
        grid = torch.as_tensor(np.stack(np.meshgrid(side, side), -1).reshape(-1, 2))
        density = torch.exp(nets.setter.log_prob(grid.float(), torch.full((len(grid), 1), 0.3)))
    total = float(density.mean()) / (2 * math.pi)  # the normal's constant, left out of log_p
    assert total == pytest.approx(1.0, abs=0.1)


def test_judge_and_setter_follow_success():
    """Success below x = 0.3 only: the judge learns it, and the setter's goals set for a high
    feasibility move there (a learning rate 10 times the default, for a short test)."""
    teacher = make_teacher(
        "setter-solver",
        UNIT_1D,
        seed=0,
        update_frequency=50,
        gradient_steps=20,
        learning_rate=3e-3,
        expert_knowledge=LOW,
    )
    for _ in range(400):
        task = teacher.sample_task()
        teacher.update(task, float(task[0] < 0.3))
    judged = teacher.nets.feasibility(np.array([[0.1], [0.9]]))
    assert judged[0] > 0.7 and judged[1] < 0.3
    rng = np.random.default_rng(0)
    easy = teacher.nets.sample(rng.standard_normal((200, 1)), np.full(200, 0.95))
    hard = teacher.nets.sample(rng.standard_normal((200, 1)), np.full(200, 0.05))
    assert np.mean(easy < 0.3) > 0.7 and np.mean(hard < 0.3) < np.mean(easy < 0.3)


def test_state_dict_round_trip_continues_identically_and_torch_is_left_alone():
    def play(teacher, episodes, seed):
        rng = np.random.default_rng(seed)
        tasks = []
        for _ in range(episodes):
            task = teacher.sample_task()
            teacher.update(task, float(task.sum() < 0.8 + 0.1 * rng.standard_normal()))
            tasks.append(task)
        return np.array(tasks)

    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    teacher = make_teacher(
        "setter-solver", UNIT_2D, seed=4, update_frequency=20, expert_knowledge=LOW
    )
    play(teacher, 70, 1)  # 3 trainings, 10 episodes into the 4th period
    assert torch.equal(torch.random.get_rng_state(), before)
    restored = make_teacher(
        "setter-solver", UNIT_2D, seed=99, update_frequency=20, expert_knowledge=LOW
    )
    restored.load_state_dict(pickle.loads(pickle.dumps(teacher.state_dict())))
    np.testing.assert_array_equal(play(teacher, 60, 2), play(restored, 60, 2))
    np.testing.assert_array_equal(
        teacher.nets.feasibility(np.array([[0.2, 0.2]])),
        restored.nets.feasibility(np.array([[0.2, 0.2]])),
    )


TOY_EPISODES = 10_000


def test_beats_random_on_the_toy_bench():
    """2-D toy bench (10 x 10 cells), success = a mastered cell (the toy's expert knowledge at
    "low"). Measured when this test was written (CPU, shared machine): see
    results/perf/2026-12-04-setter-solver.md."""
    random_runs = [
        run_toy("random", episodes=TOY_EPISODES, seed=s, checkpoints=(TOY_EPISODES,))
        for s in range(3)
    ]
    random_mastered = float(np.mean([r.mastered[TOY_EPISODES] for r in random_runs]))
    run = run_toy("setter-solver", episodes=TOY_EPISODES, seed=0, checkpoints=(TOY_EPISODES,))
    assert run.mastered[TOY_EPISODES] >= 4 * max(random_mastered, 1.0)
