"""The ``expert_knowledge`` key: its default keeps runs saved before it existed, suites give it
to every run, and a run gives the env's knowledge to its teacher."""

import pandas as pd
import pytest
import tomli_w

from aclbench.errors import ConfigError
from aclbench.harness.config import RunConfig, check_run_folder
from aclbench.harness.results import write_status
from aclbench.harness.runner import run
from aclbench.harness.suite import Suite


def test_the_default_is_low_and_runs_saved_before_the_key_still_match(tmp_path):
    config = RunConfig("toy", "random", "simulated", seed=0, steps=100)
    assert config.expert_knowledge == "low"
    old = {k: v for k, v in config.resolved().to_dict().items() if v is not None}
    del old["expert_knowledge"]  # a config.toml written before the key existed
    (tmp_path / "config.toml").write_text(tomli_w.dumps(old))
    write_status(tmp_path, {"state": "done"})
    assert RunConfig.load(tmp_path / "config.toml").expert_knowledge == "low"
    check_run_folder(tmp_path, config)  # the same run: a rerun skips it
    with pytest.raises(ConfigError, match="expert_knowledge 'low' -> 'high'"):
        high = RunConfig("toy", "random", "simulated", seed=0, steps=100, expert_knowledge="high")
        check_run_folder(tmp_path, high)


def test_a_suite_gives_its_level_to_every_run():
    text = tomli_w.dumps(
        {
            "name": "ek",
            "envs": ["toy", "task-graph"],
            "teachers": ["random", "alp-gmm"],
            "students": ["simulated"],
            "seeds": [0],
            "steps": 100,
            "expert_knowledge": "high",
        }
    )
    suite = Suite.parse(text)
    assert {planned.config.expert_knowledge for planned in suite.runs} == {"high"}


@pytest.mark.parametrize("level", ["low", "high"])
def test_a_run_bootstraps_alp_gmm_on_easy_tasks_at_high_only(tmp_path, level):
    config = RunConfig("toy", "alp-gmm", "simulated", seed=0, steps=200, expert_knowledge=level)
    assert run(config, tmp_path)["state"] == "done"
    assert f'expert_knowledge = "{level}"' in (tmp_path / "config.toml").read_text()
    tasks = pd.read_csv(tmp_path / "tasks.csv")[["x0", "x1"]].to_numpy()
    if level == "high":  # the toy's easy tasks: a Gaussian at the origin, std 0.1
        assert tasks.mean() < 0.15
    else:
        assert tasks.mean() == pytest.approx(0.5, abs=0.1)
