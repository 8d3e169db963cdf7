"""``check_teacher``: what every teacher must satisfy, as Gymnasium's ``check_env`` for envs.

Run it on your own teacher before naming it in a suite::

    from aclbench.teachers.checker import check_teacher
    check_teacher(MyTeacher, TaskSpace({"x": (0.0, 1.0), "y": (-1.0, 1.0)}))

It raises ``AssertionError`` with a message saying which rule broke. The test suite runs it over
every registered teacher and several task spaces.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.errors import InvalidReturnError, InvalidTaskError
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.base import Teacher, check_capabilities


def synthetic_return(task_space: TaskSpace, task: Task, rng: np.random.Generator) -> float:
    """A learnable-looking return: high near one corner of the space, with a little noise."""
    unit = task_space.to_unit(task)
    return float(1.0 - np.linalg.norm(unit - 0.25) + 0.05 * rng.standard_normal())


EVALUATION_INTERVAL = 50
"""Episodes between two evaluations given to a teacher that declares ``evaluations``."""
N_TEST_TASKS = 10


def evaluation_tasks(task_space: TaskSpace) -> NDArray[np.float64]:
    """The fixed test set of the check's evaluations (``N_TEST_TASKS`` x ``n_dims``)."""
    rng = np.random.default_rng(0)
    return np.array([task_space.sample(rng) for _ in range(N_TEST_TASKS)])


def synthetic_knowledge(task_space: TaskSpace, level: str) -> ExpertKnowledge:
    """Expert knowledge matching :func:`synthetic_return` at ``level``: mastered above 0.5 on a
    return scale from 0 to 1, easy tasks around the corner where returns are high."""
    easy = dict(zip(task_space.names, task_space.from_unit(np.full(len(task_space), 0.25))))
    initial = InitialGaussian.around(task_space, easy)
    return ExpertKnowledge.from_mastery(0.5, (0.0, 1.0), initial=initial).at(level)


def _play(teacher: Teacher, episodes: int, feedback_seed: int) -> list[Task]:
    """Sample and feed back ``episodes`` times; the feedback depends only on ``feedback_seed``.
    A teacher that declares ``evaluations`` is also given the synthetic returns of a fixed test
    set every ``EVALUATION_INTERVAL`` episodes, as the harness gives it a student's."""
    rng = np.random.default_rng(feedback_seed)
    tests = evaluation_tasks(teacher.task_space)
    tasks = []
    for _ in range(episodes):
        task = teacher.sample_task()
        tasks.append(task)
        teacher.update(task, synthetic_return(teacher.task_space, task, rng))
        if teacher.capabilities.evaluations and teacher.episodes % EVALUATION_INTERVAL == 0:
            returns = [synthetic_return(teacher.task_space, test, rng) for test in tests]
            teacher.on_evaluation(tests, np.array(returns))
    return tasks


def check_teacher(
    teacher_cls: type[Teacher],
    task_space: TaskSpace,
    *,
    episodes: int = 400,
    seed: int = 0,
    **params: Any,
) -> None:
    """Check ``teacher_cls`` on ``task_space``; ``params`` go to its constructor.

    A teacher that declares ``evaluations`` is given an evaluation every
    ``EVALUATION_INTERVAL`` episodes throughout, so rules 3 and 4 cover that hook too.
    A teacher that needs expert knowledge (``expert_knowledge_needed`` above ``"none"``) is
    given, unless ``params`` hold ``expert_knowledge``, :func:`synthetic_knowledge` at the
    level it needs, as a run at that level would.

    Rules checked:
      1. the teacher implements the method of every capability it declares
         (:func:`~teachers.base.check_capabilities`), on the built instance, whose
         ``capabilities`` may depend on ``params``;
      2. every proposed task lies in the space (also after many feedback episodes);
      3. the same seed and feedback give the same tasks;
      4. a ``state_dict`` saved mid-run, pickled, and loaded into a fresh instance gives the
         same next tasks as the original;
      5. NaN and infinite returns raise ``InvalidReturnError`` (as do NaN evaluation returns,
         and evaluation returns not one per test task, for a teacher that declares
         ``evaluations``), a task outside the space raises ``InvalidTaskError``, and none
         changes what the teacher proposes next;
      6. feedback on tasks it never proposed (random ones, the space's corners) is accepted;
      7. ``inner_state()`` is JSON-serializable.
    """
    name = teacher_cls.__name__
    needed = teacher_cls.expert_knowledge_needed
    if needed != "none" and "expert_knowledge" not in params:
        params = {**params, "expert_knowledge": synthetic_knowledge(task_space, needed)}

    def make() -> Teacher:
        return teacher_cls(task_space, seed=seed, **params)

    first, second = make(), make()
    try:
        check_capabilities(first)
    except TypeError as err:
        raise AssertionError(str(err)) from err
    tasks_a = _play(first, episodes, feedback_seed=1)
    tasks_b = _play(second, episodes, feedback_seed=1)
    for i, task in enumerate(tasks_a):
        assert task_space.contains(task), f"{name}: task {i} = {task} is outside {task_space}"
    assert all(np.array_equal(a, b) for a, b in zip(tasks_a, tasks_b)), (
        f"{name}: the same seed and feedback gave different tasks"
    )

    restored = make()
    restored.load_state_dict(pickle.loads(pickle.dumps(first.state_dict())))
    after_original = _play(first, episodes // 4, feedback_seed=2)
    after_restored = _play(restored, episodes // 4, feedback_seed=2)
    assert all(np.array_equal(a, b) for a, b in zip(after_original, after_restored)), (
        f"{name}: a teacher restored from state_dict() proposes different tasks than the original"
    )

    probe, reference = make(), make()
    _play(probe, episodes // 2, feedback_seed=3)
    _play(reference, episodes // 2, feedback_seed=3)
    task = probe.sample_task()
    reference.sample_task()
    for bad in (float("nan"), float("inf"), float("-inf")):
        try:
            probe.update(task, bad)
        except InvalidReturnError:
            continue
        raise AssertionError(f"{name}: return {bad} was accepted instead of InvalidReturnError")
    outside = task_space.high + 1.0
    try:
        probe.update(outside, 0.0)
    except InvalidTaskError:
        pass
    else:
        raise AssertionError(f"{name}: task {outside} outside the space was accepted")
    if probe.capabilities.evaluations:
        tests = evaluation_tasks(task_space)
        for bad_returns in (np.full(len(tests), np.nan), np.zeros(len(tests) + 1)):
            try:
                probe.on_evaluation(tests, bad_returns)
            except InvalidReturnError:
                continue
            raise AssertionError(
                f"{name}: evaluation returns {bad_returns} were accepted instead of "
                "InvalidReturnError"
            )
    next_probe = _play(probe, 5, feedback_seed=4)
    next_reference = _play(reference, 5, feedback_seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(next_probe, next_reference)), (
        f"{name}: a rejected return or task changed the teacher's next proposals"
    )

    stranger = make()
    rng = np.random.default_rng(5)
    for corner in (task_space.low, task_space.high):
        stranger.update(corner, 0.0)
    for _ in range(episodes // 2):
        stranger.update(task_space.sample(rng), float(rng.standard_normal()))
    for _ in range(10):
        assert task_space.contains(stranger.sample_task()), f"{name}: left the space"

    json.dumps(first.inner_state())
