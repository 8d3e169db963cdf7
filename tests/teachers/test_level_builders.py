"""The generic level builder: the task vector one dimension per step."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.task_space import TaskSpace
from aclbench.teachers.level_builders import VectorBuilder, builder_for

MIXED = TaskSpace({"size": 3, "gravity": (-20.0, 0.0)})


def test_each_step_chooses_one_dimension() -> None:
    builder = builder_for(MIXED, bins=4)
    assert isinstance(builder, VectorBuilder)
    assert (builder.n_steps, builder.n_actions, builder.obs_dim) == (2, 4, 4)
    builder.reset()
    assert builder.mask().tolist() == [True, True, True, False]  # size has 3 values
    assert builder.observation().tolist() == [1, 0, 0, 0]
    builder.step(2)
    assert builder.mask().all()
    assert builder.observation().tolist() == pytest.approx([0, 1, 2.5 / 3, 0])
    builder.step(1)  # gravity in the second quarter of [-20, 0]: [-15, -10)
    task = builder.level(np.random.default_rng(0))
    assert task[0] == 2 and -15.0 <= task[1] < -10.0


def test_a_masked_choice_is_refused() -> None:
    builder = VectorBuilder(MIXED, bins=4)
    builder.reset()
    with pytest.raises(ValueError, match="action 3 not allowed for dimension 0"):
        builder.step(3)


def test_random_choices_cover_the_space_and_stay_inside() -> None:
    builder = VectorBuilder(MIXED, bins=5)
    rng = np.random.default_rng(0)
    tasks = []
    for _ in range(300):
        builder.reset()
        for _ in range(builder.n_steps):
            builder.step(int(rng.choice(np.flatnonzero(builder.mask()))))
        tasks.append(builder.level(rng))
    tasks = np.array(tasks)
    assert all(MIXED.contains(t) for t in tasks)
    assert set(tasks[:, 0]) == {0.0, 1.0, 2.0}
    assert tasks[:, 1].min() < -19.0 and tasks[:, 1].max() > -1.0
