"""``aclbench profile``: the five challenges on the simulated benches (harness.profile)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aclbench.envs import make_env, task_env
from aclbench.harness.checks import evaluation_protocol
from aclbench.harness.cli import main
from aclbench.harness.profile import (
    RUGGED,
    SIMULATED_CHALLENGES,
    Challenge,
    expert_levels,
    plan_profile,
    suite_text,
    write_profile,
)
from aclbench.harness.report.challenges import CHALLENGES, SUITE_NAME
from aclbench.harness.runner import run
from aclbench.harness.suite import Suite

LEVELS = len(expert_levels())  # each challenge runs at every expert-knowledge level


def default_tests(env: str) -> np.ndarray:
    kwargs = {"cells_per_dim": 6} if env == "toy" else {}
    return task_env(make_env(env, **kwargs)).test_tasks()


def test_every_challenge_on_both_benches_tested_on_the_default_test_set() -> None:
    covered = set()
    for challenge in SIMULATED_CHALLENGES:
        suite = Suite.parse(suite_text(challenge, ["alp-gmm", "random"], 2))
        covered.add((SUITE_NAME.fullmatch(suite.name).group(1), challenge.env))
        assert len(suite.runs) == 4
        _, tests, _ = evaluation_protocol(suite.runs[0].config)
        np.testing.assert_array_equal(tests, default_tests(challenge.env))
    assert covered == {(c, env) for c in CHALLENGES for env in ("toy", "task-graph")}


def test_a_teacher_that_cannot_run_a_bench_is_profiled_on_the_other(tmp_path: Path) -> None:
    profile = plan_profile("tests.harness.continuous_only:ContinuousOnly", tmp_path, seeds=2)
    assert {env for _, env, _ in profile.left_out} == {"task-graph"}
    assert len(profile.left_out) == 6 * LEVELS and len(profile.suites) == 6 * LEVELS
    assert all("needs a continuous task space" in why for _, _, why in profile.left_out)


def test_profile_refuses_random_and_too_few_seeds(capsys: pytest.CaptureFixture) -> None:
    assert main(["profile", "random", "--out", "unused"]) == 2
    assert "'random' is the reference" in capsys.readouterr().err
    assert main(["profile", "alp-gmm", "--seeds", "1", "--out", "unused"]) == 2
    assert "seeds must be >= 2" in capsys.readouterr().err


def test_a_small_profile_end_to_end_reuses_finished_runs(tmp_path: Path) -> None:
    challenges = [
        Challenge("challenge-rugged", "toy", 400, 100, kwargs={"cells_per_dim": 3}, rugged=RUGGED),
        Challenge(
            "challenge-unfeasible",
            "task-graph",
            200,
            50,
            kwargs={"n_tasks": 16, "unlearnable": list(range(6, 16))},
            test_kwargs={},
        ),
    ]
    profile = plan_profile("easy-to-hard", tmp_path, seeds=2, challenges=challenges)
    assert len(profile.todo) == 8 * LEVELS
    for planned in profile.todo:
        assert run(planned.config, tmp_path / planned.path)["state"] == "done"
    rows, page = write_profile("easy-to-hard", tmp_path, profile.suites, reps=100)
    assert sorted(row.axis for row in rows) == sorted(
        f"{name} ({env}, {level} EK)"
        for name, env in (("unfeasible", "task-graph"), ("rugged", "toy"))
        for level in ("none", "low", "high")
    )
    assert page.exists() and (tmp_path / "profile-easy-to-hard" / "radar.png").exists()
    table = (tmp_path / "profile-easy-to-hard" / "profile.csv").read_text()
    assert table.startswith("challenge,env,expert knowledge,teacher,") and "rugged,toy" in table
    again = plan_profile("easy-to-hard", tmp_path, seeds=2, challenges=challenges)
    assert again.todo == [] and len(again.runs) == 8 * LEVELS
