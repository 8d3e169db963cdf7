"""The protocol suites shipped for clusters (and their CPU-scale variants) cannot rot: each loads,
and each of its (env, teacher, student) combinations trains and evaluates at a tiny budget, with
its own parameters, through the runner. The test set is cut to two tasks and the budget to a few
hundred steps, episodes to 100 steps; everything else is the suite's. The challenge suites
(``suites/challenges/``) run the same teachers as ``stump-tracks.toml``: each of their (env
kwargs, student) combinations runs once, with the first teacher, a forgetting student resetting
within the tiny budget."""

import dataclasses
from pathlib import Path

import pytest

from aclbench.envs.parkour import ParkourEnv
from aclbench.envs.stump_tracks import StumpTracksEnv
from aclbench.harness.runner import run
from aclbench.harness.suite import Suite

FOLDER = Path(__file__).parents[2] / "benchmarks" / "suites"
SUITES = sorted([*FOLDER.glob("stump-tracks*.toml"), *FOLDER.glob("parkour*.toml")])
CHALLENGES = sorted(FOLDER.glob("challenges/*.toml"))
TINY = {
    "sac": {"learning_starts": 100, "batch_size": 64, "buffer_size": 1000},
    "ppo": {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1},
}


@pytest.mark.parametrize("path", SUITES + CHALLENGES, ids=[p.stem for p in SUITES + CHALLENGES])
def test_every_combination_of_the_suite_runs_at_a_tiny_budget(path, tmp_path, monkeypatch):
    suite = Suite.load(path)
    for cls in (StumpTracksEnv, ParkourEnv):
        full = cls.test_tasks
        monkeypatch.setattr(cls, "test_tasks", lambda self, full=full: full(self)[[0, -1]])
    challenge = path in CHALLENGES
    seen = set()
    for planned in suite.runs:
        config = planned.config
        key = (config.env, config.student, "" if challenge else config.teacher)
        if key in seen:
            continue
        seen.add(key)
        params = {**config.student_params, **TINY.get(config.student, {})}
        if "reset_every" in params:
            params["reset_every"] = 120
        tiny = dataclasses.replace(
            config,
            steps=200,
            eval_interval=200,
            checkpoint_interval=200,
            env_kwargs={**config.env_kwargs, "max_episode_steps": 100},  # short test episodes
            student_params=params,
        )
        status = run(tiny, tmp_path / planned.path)
        assert status["state"] == "done", (planned.path, status.get("error"))
    assert len(seen) >= (1 if challenge else 2)
