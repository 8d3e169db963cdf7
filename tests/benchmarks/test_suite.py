from pathlib import Path

import pytest

from aclbench.errors import ConfigError, UnknownNameError
from benchmarks.suite import Suite

MINIMAL = """
name = "demo"
envs = ["toy"]
teachers = ["random"]
students = ["simulated"]
seeds = [0, 1, 2]
steps = 20000
"""


def test_minimal_suite_expands_to_one_run_per_seed():
    suite = Suite.parse(MINIMAL)
    assert suite.name == "demo"
    assert [run.path for run in suite.runs] == [Path(f"demo/toy/random/seed-{k}") for k in range(3)]
    config = suite.runs[0].config
    assert (config.env, config.teacher, config.student, config.steps) == (
        "toy",
        "random",
        "simulated",
        20000,
    )
    assert config.resolved_eval_interval == 1000


def test_env_tables_override_students_seeds_and_budget():
    suite = Suite.parse(
        MINIMAL.replace('envs = ["toy"]', 'envs = ["toy", "cartpole"]')
        + """
eval_interval = 500
[env.cartpole]
students = ["ppo", "sac"]
seeds = [7]
steps = 3000
kwargs = { pole_length = [0.3, 1.0] }

[student.ppo]
n_envs = 2
"""
    )
    cartpole = [run for run in suite.runs if run.config.env == "cartpole"]
    assert [str(run.path) for run in cartpole] == [
        "demo/cartpole@ppo/random/seed-7",
        "demo/cartpole@sac/random/seed-7",
    ]
    assert cartpole[0].config.steps == 3000
    assert cartpole[0].config.eval_interval == 500
    assert cartpole[0].config.env_kwargs == {"pole_length": [0.3, 1.0]}
    assert cartpole[0].config.student_params == {"n_envs": 2}
    assert cartpole[1].config.student_params == {}
    assert len([run for run in suite.runs if run.config.env == "toy"]) == 3


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (("steps = 20000", 'steps = "many"'), ConfigError, "steps must be an integer, got 'many'"),
        (
            ("seeds", "sedes"),
            ConfigError,
            "unknown key 'sedes'; allowed keys: cpus_per_run, device, env,",
        ),
        (('name = "demo"\n', ""), ConfigError, "missing required key(s) name"),
        (('"random"', '"randon"'), UnknownNameError, "Did you mean 'random'?"),
        (('["toy"]', '["toyy"]'), UnknownNameError, "Known envs:"),
        (("steps = 20000", "steps = 20000\n[env.cartpole]\nsteps = 5"), ConfigError, "not in envs"),
        (("= 20000", "= 20000\n[env.toy]\nbudget = 5"), ConfigError, "[env.toy]: unknown key"),
        (("]\nsteps", "\nsteps"), ConfigError, "not valid TOML"),
    ],
)
def test_malformed_suites_name_the_key_and_what_was_expected(change, error, message):
    with pytest.raises(error) as err:
        Suite.parse(MINIMAL.replace(*change), source="bad.toml")
    assert message in str(err.value)


def test_shipped_demo_suite_parses():
    suite = Suite.load(Path(__file__).parents[2] / "benchmarks" / "suites" / "demo.toml")
    assert {run.config.env for run in suite.runs} == {"toy", "cartpole"}
