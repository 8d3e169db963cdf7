"""The simulated student on the toy bench."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aclbench.envs import make_env
from aclbench.envs.core import task_env
from aclbench.errors import ConfigError
from aclbench.students import make_student
from aclbench.task_space import Task
from aclbench.teachers.base import Teacher
from aclbench.teachers.random_teacher import RandomTeacher
from tests.students.spies import RecordingListener

TOY = task_env(make_env("toy")).task_space  # 2-D, 10 x 10 cells


class OriginTeacher(Teacher):
    def _sample_task(self) -> Task:
        return np.array([0.05, 0.05])


def test_a_teacher_that_plays_the_origin_masters_it(tmp_path: Path) -> None:
    teacher = OriginTeacher(TOY, seed=0)
    student = make_student("simulated", "toy", teacher, seed=0)
    listener = RecordingListener()
    student.learn(80, listener)

    # One step per episode, +1 competence (of 100) per play of the origin cell.
    probes = np.array([[0.05, 0.05], [0.01, 0.09], [0.15, 0.05], [0.95, 0.95]])
    np.testing.assert_allclose(student.evaluate(probes), [0.80, 0.80, 0.0, 0.0])
    assert np.sum(student.evaluate(TOY.grid(10)) > 0.75) == 1
    assert teacher.episodes == 80
    assert [r for _, r, _ in listener.episodes] == pytest.approx([k / 100 for k in range(1, 81)])
    assert listener.steps == list(range(1, 81))

    student.save(tmp_path)
    competence = np.load(tmp_path / "competence.npy")
    assert competence[0, 0] == 80 and competence.sum() == 80


def test_evaluation_changes_neither_learner_nor_teacher() -> None:
    teacher = RandomTeacher(TOY, seed=1)
    student = make_student("simulated", "toy", teacher, seed=1)
    student.learn(300, RecordingListener())
    before = student.evaluate(TOY.grid(10))
    state = teacher.rng.bit_generator.state
    np.testing.assert_array_equal(student.evaluate(TOY.grid(10)), before)
    assert teacher.episodes == 300 and teacher.rng.bit_generator.state == state


def test_same_seed_same_noisy_returns() -> None:
    def returns(seed: int) -> list[float]:
        listener = RecordingListener()
        student = make_student(
            "simulated", "toy", RandomTeacher(TOY, seed=0), seed=seed, env_kwargs={"noise": 0.1}
        )
        student.learn(50, listener)
        return [r for _, r, _ in listener.episodes]

    assert returns(0) == returns(0) != returns(1)


def test_env_without_competence_is_refused_by_name() -> None:
    cartpole = task_env(make_env("cartpole")).task_space
    with pytest.raises(ConfigError, match="env 'cartpole'.*Use env 'toy'"):
        make_student("simulated", "cartpole", RandomTeacher(cartpole, seed=0), seed=0)


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(ConfigError, match="student 'simulated' has no parameter 'learning_rate'"):
        make_student("simulated", "toy", RandomTeacher(TOY, seed=0), seed=0, learning_rate=1e-3)


def test_forgetting_student_loses_every_competence_every_reset_every_steps() -> None:
    teacher = OriginTeacher(TOY, seed=0)
    student = make_student("simulated", "toy", teacher, seed=0, reset_every=50)
    listener = RecordingListener()
    student.learn(120, listener)
    returns = [r for _, r, _ in listener.episodes]
    # plays 1..50 raise the origin to 0.50, then it is forgotten: 51..100 again from 0
    assert returns[49] == pytest.approx(0.50) and returns[50] == pytest.approx(0.01)
    assert returns[99] == pytest.approx(0.50) and returns[119] == pytest.approx(0.20)
    assert student.hyperparams == {"reset_every": 50}


@pytest.mark.parametrize("value", [-1, 1.5, True])
def test_bad_reset_every_is_refused_before_building(value: object) -> None:
    from aclbench.students.simulated import SimulatedStudent

    with pytest.raises(ConfigError, match="reset_every"):
        SimulatedStudent.check_param_names({"reset_every": value}, name="simulated")
