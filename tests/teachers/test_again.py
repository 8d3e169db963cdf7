"""AGAIN (teachers.again) and its classroom (teachers.classroom): matching a new student to
earlier ones of its kind, replaying their curricula, and refusing classrooms it cannot use."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.harness.config import RunConfig
from aclbench.harness.results import RunRecorder, write_status
from aclbench.harness.runner import run
from aclbench.task_space import TaskSpace
from aclbench.teachers import teacher_params
from aclbench.teachers.again import AgainTeacher
from aclbench.teachers.alp_gmm import AlpGmmTeacher
from aclbench.teachers.checker import check_teacher, evaluation_tasks, synthetic_return
from aclbench.teachers.classroom import read_classroom

TOY = TaskSpace({"x0": (0.0, 1.0), "x1": (0.0, 1.0)})
CORNERS = ([0, 0], [1, 1])
FAST = {"fit_rate": 50, "k_range": (2, 4)}
"""ALP-GMM refitting every 50 episodes, so that short runs have curricula, and cheaply."""


def toy_run(out: Path, teacher: str, origin: list[int], seed: int, **params) -> Path:
    """A short toy run of the family: 4 x 4 cells, competence spreading from ``origin``."""
    config = RunConfig(
        env="toy",
        teacher=teacher,
        student="simulated",
        seed=seed,
        steps=1500,
        eval_interval=250,
        env_kwargs={"cells_per_dim": 4, "origin": origin},
        teacher_params=params,
    )
    assert run(config, out)["state"] == "done"
    return out


@pytest.fixture(scope="module")
def toy_classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two ALP-GMM students from each of two opposite corners."""
    root = tmp_path_factory.mktemp("classroom")
    for origin in CORNERS:
        for seed in (0, 1):
            toy_run(
                root / f"origin-{origin[0]}{origin[1]}" / f"seed-{seed}",
                "alp-gmm",
                origin,
                seed,
                **FAST,
            )
    return root


def log(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "teacher_log.jsonl").read_text().splitlines()]


def test_new_students_replay_the_curriculum_of_a_classroom_student_of_their_kind(
    toy_classroom: Path, tmp_path: Path
) -> None:
    for origin in CORNERS:
        out = toy_run(
            tmp_path / str(origin),
            "again",
            origin,
            7,
            classroom=str(toy_classroom),
            k=2,
            alp_gmm=FAST,
        )
        entries = log(out)
        # evaluations at 0, 250 and 500 episodes: the pretest ends at the second after training
        # starts (the log holds the state each evaluation found, before the teacher saw it)
        assert [e["state"]["phase"] for e in entries[:4]] == ["pretest"] * 3 + ["replay"]
        expert = entries[-1]["state"]["expert"]
        assert expert.startswith(f"origin-{origin[0]}{origin[1]}"), (origin, expert)
        assert entries[-1]["state"]["expert_gaussians"]


def test_the_classroom_holds_each_run_s_high_alp_mixtures_in_the_unit_cube(
    toy_classroom: Path,
) -> None:
    classroom = read_classroom(toy_classroom, TOY, alp_threshold=0.2)
    assert [s.name for s in classroom.students] == [
        "origin-00/seed-0",
        "origin-00/seed-1",
        "origin-11/seed-0",
        "origin-11/seed-1",
    ]
    assert classroom.test_tasks.shape == (16, 2)
    for student in classroom.students:
        assert student.test_returns.shape == (6, 16)  # evaluations at 250, 500, ... 1500
        assert student.curriculum
        for mixture in student.curriculum:
            assert np.all(mixture.alps > 0.2)
            assert np.all((mixture.means > -0.5) & (mixture.means < 1.5))
        fitted = [m.fitted_at for m in student.curriculum]
        assert fitted == sorted(set(fitted))
    low_corner = classroom.students[0].curriculum[0].means
    assert np.all(low_corner.mean(axis=0) < 0.5)  # it learns first near its origin


def test_runs_packed_as_stored_results_are_read_alike(toy_classroom: Path, tmp_path: Path) -> None:
    """Stored runs keep ``tasks.csv``, ``eval_tasks.csv`` and ``teacher_log.jsonl`` gzipped."""
    shutil.copytree(toy_classroom / "origin-11" / "seed-0", tmp_path / "packed")
    for name in ("tasks.csv", "eval_tasks.csv", "teacher_log.jsonl"):
        plain = tmp_path / "packed" / name
        plain.with_name(name + ".gz").write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()
    packed = read_classroom(tmp_path, TOY, alp_threshold=0.2).students[0]
    plain = read_classroom(toy_classroom / "origin-11", TOY, alp_threshold=0.2).students[0]
    np.testing.assert_array_equal(packed.test_returns, plain.test_returns)
    assert [m.target_return for m in packed.curriculum] == [
        m.target_return for m in plain.curriculum
    ]


def test_during_the_pretest_again_proposes_the_tasks_of_alp_gmm(toy_classroom: Path) -> None:
    again = AgainTeacher(TOY, seed=4, classroom=str(toy_classroom), alp_gmm=FAST)
    alp_gmm = AlpGmmTeacher(TOY, seed=4, **FAST)
    rng = np.random.default_rng(0)
    for _ in range(300):
        task = again.sample_task()
        assert task.tolist() == alp_gmm.sample_task().tolist()
        value = synthetic_return(TOY, task, rng)
        again.update(task, value)
        alp_gmm.update(task, value)


def synthetic_classroom(root: Path, space: TaskSpace, seeds: range) -> Path:
    """Classroom runs written with the harness's recorder, of ALP-GMM taught on
    ``check_teacher``'s synthetic returns and evaluated on its test set."""
    tests = evaluation_tasks(space)
    for seed in seeds:
        folder = root / f"seed-{seed}"
        teacher = AlpGmmTeacher(space, seed=seed, **FAST)
        recorder = RunRecorder(folder, space, tests, mastered_threshold=0.5)
        rng = np.random.default_rng(seed)
        recorder.add_evaluation(0, np.zeros(len(tests)), teacher.inner_state())
        for episode in range(1, 401):
            task = teacher.sample_task()
            value = synthetic_return(space, task, rng)
            recorder.add_episode(task, value, episode)
            teacher.update(task, value)
            if episode % 50 == 0:
                returns = np.array([synthetic_return(space, t, rng) for t in tests])
                recorder.add_evaluation(episode, returns, teacher.inner_state())
        recorder.flush()  # the recorder writes at most every 10 s; the runner flushes at the end
        recorder.save_teacher_params(teacher_params(teacher, FAST))
        RunConfig("toy", "alp-gmm", "simulated", seed=seed, steps=400).save(folder / "config.toml")
        write_status(folder, {"state": "done"})
    return root


SPACES = {
    "2d": TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)}),
    "mixed": TaskSpace({"size": 3, "g": (-2.0, 0.0)}),
}


@pytest.mark.parametrize(
    ("space_name", "replay"),
    [("2d", "reward"), ("2d", "time"), ("2d", "pool"), ("mixed", "reward")],
)
def test_again_passes_check_teacher_while_replaying(
    tmp_path: Path, space_name: str, replay: str
) -> None:
    space = SPACES[space_name]
    classroom = str(synthetic_classroom(tmp_path, space, range(3)))
    params = {"classroom": classroom, "replay": replay, "alp_threshold": 0.0, "alp_gmm": FAST}
    check_teacher(AgainTeacher, space, episodes=300, **params)
    teacher = AgainTeacher(space, seed=0, **params)
    tests, rng = evaluation_tasks(space), np.random.default_rng(1)
    for episode in range(1, 301):
        task = teacher.sample_task()
        teacher.update(task, synthetic_return(space, task, rng))
        if episode % 50 == 0:
            teacher.on_evaluation(tests, [synthetic_return(space, t, rng) for t in tests])
    assert teacher.expert is not None and teacher.inner_state()["phase"] == "replay"
    json.dumps(teacher.inner_state())


def test_unusable_classrooms_are_refused_with_the_reason(
    toy_classroom: Path, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="again: classroom '.*nowhere' is not a folder"):
        AgainTeacher(TOY, classroom=str(tmp_path / "nowhere"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no finished run"):
        AgainTeacher(TOY, classroom=str(tmp_path / "empty"))
    mixed = tmp_path / "mixed"
    shutil.copytree(toy_classroom, mixed)
    toy_run(mixed / "random", "random", [0, 0], 0)
    with pytest.raises(ConfigError, match="run 'random' was taught by 'random'"):
        AgainTeacher(TOY, classroom=str(mixed))
    unsaved = tmp_path / "unsaved"
    shutil.copytree(toy_classroom, unsaved)
    next(unsaved.rglob("teacher_params.json")).unlink()
    with pytest.raises(ConfigError, match=r"lacks teacher_params.json \(.*'aclbench run --config"):
        AgainTeacher(TOY, classroom=str(unsaved))
    for tasks in unsaved.rglob("tasks.csv*"):
        tasks.unlink()
    with pytest.raises(ConfigError, match=r"lacks teacher_params.json, tasks.csv \("):
        AgainTeacher(TOY, classroom=str(unsaved))
    with pytest.raises(ConfigError, match=r"return_bounds None, the live one with \(0.0, 1.0\)"):
        AgainTeacher(TOY, classroom=str(toy_classroom), alp_gmm={"return_bounds": (0, 1)})
    with pytest.raises(ConfigError, match="again: alp_gmm: alp-gmm: fit_rate must be"):
        AgainTeacher(TOY, classroom=str(toy_classroom), alp_gmm={"fit_rate": 0})


def test_a_run_with_another_test_set_than_the_classroom_s_fails_at_the_match(
    toy_classroom: Path, tmp_path: Path
) -> None:
    teacher = AgainTeacher(TOY, seed=0, classroom=str(toy_classroom), pretest_evaluations=1)
    task = teacher.sample_task()
    teacher.update(task, 0.0)
    other = TOY.grid(3)
    with pytest.raises(ConfigError, match="test set differs from the classroom's"):
        teacher.on_evaluation(other, np.zeros(len(other)))


def test_without_a_classroom_again_warns_and_stays_alp_gmm() -> None:
    with pytest.warns(UserWarning, match="no classroom given"):
        again = AgainTeacher(TOY, seed=2)
    alp_gmm = AlpGmmTeacher(TOY, seed=2)
    tests, rng = evaluation_tasks(TOY), np.random.default_rng(0)
    for episode in range(1, 301):
        task = again.sample_task()
        assert task.tolist() == alp_gmm.sample_task().tolist()
        value = synthetic_return(TOY, task, rng)
        again.update(task, value)
        alp_gmm.update(task, value)
        if episode % 50 == 0:
            again.on_evaluation(tests, np.ones(len(tests)))
    assert again.inner_state()["phase"] == "alp-gmm"
