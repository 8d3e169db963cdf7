"""The protocol suites shipped for clusters (and their CPU-scale variants) cannot rot: each
loads, and each of its (env, teacher, student) combinations trains and evaluates at a tiny
budget, with its own parameters, through the runner. The test set is cut to two tasks and the
budget to a few hundred steps, episodes to 100 steps; everything else is the suite's."""

import dataclasses
from pathlib import Path

import pytest

from aclbench.envs.parkour import ParkourEnv
from aclbench.envs.stump_tracks import StumpTracksEnv
from aclbench.harness.runner import run
from aclbench.harness.suite import Suite

FOLDER = Path(__file__).parents[2] / "benchmarks" / "suites"
SUITES = sorted([*FOLDER.glob("stump-tracks*.toml"), *FOLDER.glob("parkour*.toml")])
TINY = {
    "sac": {"learning_starts": 100, "batch_size": 64, "buffer_size": 1000},
    "ppo": {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1},
}


@pytest.mark.parametrize("path", SUITES, ids=[p.stem for p in SUITES])
def test_every_combination_of_the_suite_runs_at_a_tiny_budget(path, tmp_path, monkeypatch):
    suite = Suite.load(path)
    for cls in (StumpTracksEnv, ParkourEnv):
        full = cls.test_tasks
        monkeypatch.setattr(cls, "test_tasks", lambda self, full=full: full(self)[[0, -1]])
    seen = set()
    for planned in suite.runs:
        config = planned.config
        key = (config.env, config.teacher, config.student)
        if key in seen:
            continue
        seen.add(key)
        tiny = dataclasses.replace(
            config,
            steps=200,
            eval_interval=200,
            env_kwargs={**config.env_kwargs, "max_episode_steps": 100},  # short test episodes
            student_params={**config.student_params, **TINY.get(config.student, {})},
        )
        status = run(tiny, tmp_path / planned.path)
        assert status["state"] == "done", (planned.path, status.get("error"))
    assert len(seen) >= 2
