"""RunConfig's default evaluation interval, and the floor an env can register for it."""

import pytest

from aclbench.envs import ENVS
from aclbench.errors import ConfigError
from aclbench.harness.config import EVALUATIONS_PER_RUN, RunConfig


def config(env: str, steps: int, eval_interval: int = 0) -> RunConfig:
    return RunConfig(env, "random", "ppo", seed=0, steps=steps, eval_interval=eval_interval)


def test_default_interval_is_a_share_of_the_budget():
    assert ENVS.get("cartpole").min_eval_interval == 0
    assert config("cartpole", 100_000).resolved_eval_interval == 100_000 // EVALUATIONS_PER_RUN
    assert config("cartpole", 10).resolved_eval_interval == 1


def test_an_env_with_long_test_episodes_keeps_default_evaluations_apart():
    floor = ENVS.get("minigrid-sequence").min_eval_interval
    assert floor == 25_000
    assert config("minigrid-sequence", 100_000).resolved_eval_interval == floor  # not 5000
    assert config("minigrid-sequence", 1_000_000).resolved_eval_interval == 50_000  # budget/20
    saved = config("minigrid-sequence", 100_000).resolved()
    assert (saved.eval_interval, saved.checkpoint_interval) == (floor, floor)


def test_an_explicit_interval_wins_over_the_floor():
    assert config("minigrid-sequence", 100_000, eval_interval=1000).resolved_eval_interval == 1000


def test_unknown_env_gets_the_plain_default():
    # unknown names are rejected by check_config with a suggestion; resolving must not crash
    assert config("no-such-env", 20_000).resolved_eval_interval == 1000


def test_a_negative_seed_is_rejected():
    with pytest.raises(ConfigError, match="seed must be an integer >= 0, got -1"):
        RunConfig("toy", "random", "simulated", seed=-1, steps=10)
    assert RunConfig("toy", "random", "simulated", seed=0, steps=10).seed == 0


@pytest.mark.parametrize("test_env_kwargs", [None, {}, {"cells_per_dim": 5}])
def test_the_test_env_kwargs_survive_a_save_and_load(tmp_path, test_env_kwargs):
    config = RunConfig(
        env="toy",
        teacher="random",
        student="simulated",
        seed=0,
        steps=10,
        test_env_kwargs=test_env_kwargs,
    )
    config.save(tmp_path / "config.toml")
    assert RunConfig.load(tmp_path / "config.toml").test_env_kwargs == test_env_kwargs
