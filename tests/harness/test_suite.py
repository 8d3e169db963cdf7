from pathlib import Path

import numpy as np
import pytest

from aclbench import envs, teachers
from aclbench.errors import ConfigError, UnknownNameError
from aclbench.harness.checks import evaluation_protocol
from aclbench.harness.suite import Suite

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


def test_runs_go_seed_by_seed_so_a_stopped_campaign_has_equal_groups():
    suite = Suite.parse(MINIMAL.replace('["random"]', '["random", "alp-gmm"]'))
    assert [(run.config.seed, run.config.teacher) for run in suite.runs] == [
        (seed, teacher) for seed in range(3) for teacher in ("random", "alp-gmm")
    ]


def test_env_tables_override_students_seeds_and_budget():
    suite = Suite.parse(
        MINIMAL.replace('envs = ["toy"]', 'envs = ["toy", "cartpole"]')
        + """
eval_interval = 500
[env.cartpole]
students = ["ppo", "a2c"]
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
        "demo/cartpole@a2c/random/seed-7",
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
            "unknown key 'sedes'; allowed keys: checkpoint_interval, cpus_per_run, device,",
        ),
        (('name = "demo"\n', ""), ConfigError, "missing required key(s) name"),
        (('"random"', '"randon"'), UnknownNameError, "Did you mean 'random'?"),
        (('["toy"]', '["toyy"]'), UnknownNameError, "Known envs:"),
        (("steps = 20000", "steps = 20000\n[env.cartpole]\nsteps = 5"), ConfigError, "not in envs"),
        (("= 20000", "= 20000\n[env.toy]\nbudget = 5"), ConfigError, "[env.toy]: unknown key"),
        (("]\nsteps", "\nsteps"), ConfigError, "not valid TOML"),
        (("= 20000", "= 0"), ConfigError, "bad.toml: steps must be an integer >= 1, got 0"),
        (
            ("= 20000", "= 20000\n[env.toy]\nsteps = 0"),
            ConfigError,
            "bad.toml [env.toy]: steps must be an integer >= 1, got 0",
        ),
        (
            ("= 20000", "= 20000\n[env.toy]\neval_interval = -5"),
            ConfigError,
            "bad.toml [env.toy]: eval_interval must be an integer >= 0, got -5",
        ),
        (("= 20000", '= 20000\ndevice = "gpu"'), ConfigError, "bad.toml: device must be 'auto'"),
    ],
)
def test_malformed_suites_name_the_key_and_what_was_expected(change, error, message):
    with pytest.raises(error) as err:
        Suite.parse(MINIMAL.replace(*change), source="bad.toml")
    assert message in str(err.value)


def test_shipped_demo_suite_parses():
    suite = Suite.load(Path(__file__).parents[2] / "benchmarks" / "suites" / "demo.toml")
    assert {run.config.env for run in suite.runs} == {"toy", "cartpole"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[0, 1, 2]", "[0, 2, 0]"), "bad.toml: seeds lists 0 more than once"),
        (("[0, 1, 2]", "[]"), "bad.toml: seeds must list at least one seed"),
        (("[0, 1, 2]", "[1, -1]"), "bad.toml: seeds must be integers >= 0, got -1"),
        (('["random"]', '["random", "random"]'), "bad.toml: teachers lists 'random' more than"),
        (('["toy"]', '["toy", "toy"]'), "bad.toml: envs lists 'toy' more than once"),
        (('["random"]', "[]"), "bad.toml: teachers must list at least one name"),
        (
            ("= 20000", '= 20000\n[env.toy]\nstudents = ["simulated", "simulated"]'),
            "bad.toml [env.toy]: students lists 'simulated' more than once",
        ),
        (("= 20000", "= 20000\n[env.toy]\nseeds = [3, 3]"), "[env.toy]: seeds lists 3"),
    ],
)
def test_repeats_and_empty_lists_are_rejected_as_runs_would_share_a_folder(change, message):
    with pytest.raises(ConfigError) as err:
        Suite.parse(MINIMAL.replace(*change), source="bad.toml")
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "[teacher.alp_gmm]\nfit_rate = 150",
            "bad.toml: [teacher.alp_gmm] names a teacher no run of this suite uses. "
            "Did you mean [teacher.alp-gmm]? The suite uses: alp-gmm, random",
        ),
        ("[teacher.riac]\nmax_region_size = 10", "The suite uses: alp-gmm, random"),
        ("[student.simulate]\nx = 1", "Did you mean [student.simulated]?"),
        (
            "[student.simulated]\nlr = 1",
            "bad.toml: student 'simulated' has no parameter 'lr'; accepted: reset_every",
        ),
        (
            "[env.toy]\nkwargs = { nope = 1 }",
            "bad.toml: env 'toy' has no parameter 'nope'; accepted: n_dims, cells_per_dim, noise",
        ),
        ("env = { toy = 5 }", "bad.toml [env.toy] must be a table with keys students, teachers,"),
        ("cpus_per_run = -1", "bad.toml: cpus_per_run must be > 0, got -1"),
        ("gpus_per_run = -0.5", "bad.toml: gpus_per_run must be >= 0, got -0.5"),
    ],
)
def test_tables_and_parameters_no_run_can_use_are_rejected(extra, message):
    text = MINIMAL.replace('["random"]', '["random", "alp-gmm"]') + extra
    with pytest.raises(ConfigError) as err:
        Suite.parse(text, source="bad.toml")
    assert message in str(err.value)


@pytest.mark.parametrize("name", ["../../x", "a/b", ".hidden", ""])
def test_the_suite_name_is_a_plain_folder_name_inside_out(name):
    with pytest.raises(ConfigError, match="name must be a plain folder name"):
        Suite.parse(MINIMAL.replace('"demo"', repr(name).replace("'", '"')))


def test_sb3_student_parameter_names_are_checked_at_parse_time():
    text = MINIMAL.replace('["toy"]', '["cartpole"]').replace('["simulated"]', '["ppo"]')
    suite = Suite.parse(text + "[student.ppo]\nn_envs = 2\nlearning_rate = 0.001\n")
    assert suite.runs[0].config.student_params == {"n_envs": 2, "learning_rate": 0.001}
    with pytest.raises(ConfigError) as err:
        Suite.parse(text + "[student.ppo]\nlearning_rat = 0.001\n")
    message = str(err.value)
    assert (
        "student 'ppo' (SB3 PPO; aclbench keys: n_envs, vec_env, torch_threads, normalize, "
        "reset_every)" in message
    )
    assert "has no parameter 'learning_rat'; accepted: policy, learning_rate," in message


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "[teacher.alp-gmm]\nfit_rate = -3",
            "bad.toml: [teacher.alp-gmm] alp-gmm: fit_rate must be an integer >= 1, got -3",
        ),
        (
            '[teacher.riac]\nmax_region_size = "x"',
            "bad.toml: [teacher.riac] riac: max_region_size must be an integer >= 2, got 'x'",
        ),
        (
            "[env.toy]\nkwargs = { n_dims = 0 }",
            "bad.toml: [env.toy] kwargs: ValueError: toy: need n_dims >= 1,",
        ),
    ],
)
def test_teacher_and_env_values_are_checked_at_load_not_in_every_run(table, message):
    text = MINIMAL.replace('["random"]', '["random", "alp-gmm", "riac"]') + table
    with pytest.raises(ConfigError) as err:
        Suite.parse(text, source="bad.toml")
    assert message in str(err.value)


def test_a_suite_builds_each_env_and_each_teacher_once(monkeypatch):
    built = {"envs": [], "teachers": []}
    make_env, make_teacher = envs.make_env, teachers.make_teacher

    def counted_env(name, **kwargs):
        built["envs"].append(name)
        return make_env(name, **kwargs)

    def counted_teacher(name, task_space, **params):
        built["teachers"].append(name)
        return make_teacher(name, task_space, **params)

    monkeypatch.setattr(envs, "make_env", counted_env)
    monkeypatch.setattr(teachers, "make_teacher", counted_teacher)
    text = MINIMAL.replace('["random"]', '["random", "alp-gmm"]').replace(
        '["toy"]', '["toy", "cartpole"]'
    )
    suite = Suite.parse(
        text + '[teacher.alp-gmm]\nfit_rate = 150\n[env.cartpole]\nstudents = ["ppo"]\n'
    )
    assert len(suite.runs) == 12
    assert sorted(built["envs"]) == ["cartpole", "toy"]
    assert sorted(built["teachers"]) == ["alp-gmm", "alp-gmm", "random", "random"]


@pytest.mark.parametrize(
    ("env", "student", "message"),
    [
        ("toy", "ppo", "student 'ppo' cannot train on env 'toy': it simulates its own student"),
        ("task-graph", "dqn", "student 'dqn' cannot train on env 'task-graph'"),
        ("cartpole", "sac", "env 'cartpole': its actions are Discrete, SAC supports Box"),
        ("cartpole", "td3", "env 'cartpole': its actions are Discrete, TD3 supports Box"),
        ("pendulum", "dqn", "env 'pendulum': its actions are Box, DQN supports Discrete"),
        ("cartpole", "simulated", "env 'cartpole' (TaskCartPoleEnv) has none"),
    ],
)
def test_a_student_paired_with_an_env_it_cannot_train_is_refused_at_parse_time(
    env, student, message
):
    text = MINIMAL.replace('["toy"]', f'["{env}"]').replace('["simulated"]', f'["{student}"]')
    with pytest.raises(ConfigError, match="cannot train|own learner") as err:
        Suite.parse(text)
    assert message in str(err.value)


@pytest.mark.parametrize(("env", "student"), [("cartpole", "a2c"), ("pendulum", "td3")])
def test_students_pass_the_env_check_where_their_algorithm_applies(env, student):
    text = MINIMAL.replace('["toy"]', f'["{env}"]').replace('["simulated"]', f'["{student}"]')
    assert Suite.parse(text).runs[0].config.student == student


@pytest.mark.parametrize(
    ("env", "student", "teacher", "message"),
    [
        (
            "cartpole",
            "ppo",
            "paired",
            "[student.ppo] with teacher 'paired': PAIRED trains each student one rollout per "
            "SB3 learn call, so schedules decay within a rollout; give constant values for "
            "clip_range, learning_rate",
        ),
        (
            "pendulum",
            "sac",
            "plr",
            "[student.sac] with teacher 'plr': teacher PLRTeacher needs on-policy rollouts",
        ),
    ],
)
def test_a_student_that_cannot_train_with_a_teacher_is_refused_at_parse_time(
    env, student, teacher, message
):
    """Before, these failed each run at its start, after the run folders were made."""
    text = (
        MINIMAL.replace('["toy"]', f'["{env}"]')
        .replace('["simulated"]', f'["{student}"]')
        .replace('["random"]', f'["{teacher}"]')
    )
    with pytest.raises(ConfigError) as err:
        Suite.parse(text)
    assert message in str(err.value)


def test_a_schedule_written_wrong_is_refused_at_parse_time_naming_the_student():
    text = MINIMAL.replace('["toy"]', '["cartpole"]').replace('["simulated"]', '["ppo"]')
    with pytest.raises(ConfigError) as err:
        Suite.parse(text + '[student.ppo]\nlearning_rate = "lin_fast"\n')
    assert "student 'ppo': parameter 'learning_rate' = 'lin_fast': a linear schedule" in str(
        err.value
    )


def test_paired_with_constant_schedules_passes_the_check():
    text = (
        MINIMAL.replace('["toy"]', '["cartpole"]')
        .replace('["simulated"]', '["ppo"]')
        .replace('["random"]', '["paired"]')
    )
    constant = "[student.ppo]\nlearning_rate = 0.001\nclip_range = 0.2\n"
    assert Suite.parse(text + constant).runs[0].config.teacher == "paired"


def test_a_budget_below_one_on_policy_rollout_is_refused_at_parse_time():
    """PPO on cartpole collects 32 x 8 = 256 env steps per rollout by default: 100 steps would
    run 256 anyway."""
    text = MINIMAL.replace('["toy"]', '["cartpole"]').replace('["simulated"]', '["ppo"]')
    with pytest.raises(ConfigError) as err:
        Suite.parse(text.replace("steps = 20000", "steps = 100"))
    assert "steps = 100 is less than one rollout of student 'ppo' on env 'cartpole'" in str(
        err.value
    )
    assert "(n_steps 32 x n_envs 8 = 256 env steps)" in str(err.value)
    small = Suite.parse(
        text.replace("steps = 20000", "steps = 100") + "[student.ppo]\nn_envs = 2\nn_steps = 50\n"
    )
    assert small.runs[0].config.steps == 100


def test_the_training_space_and_the_test_set_are_separate_settings():
    text = MINIMAL.replace('["toy"]', '["cartpole"]').replace('["simulated"]', '["ppo"]')
    wide = "[env.cartpole]\nkwargs = { pole_length = [0.02, 5.0] }\n"
    config = Suite.parse(text + wide + "test_kwargs = {}\n").runs[0].config
    space, tests, _ = evaluation_protocol(config)
    assert config.test_env_kwargs == {}
    assert space.to_config()["pole_length"] == [0.02, 5.0]
    assert np.array_equal(tests, envs.make_env("cartpole").unwrapped.test_tasks())
    # without test_kwargs the test set follows the training space, as before
    config = Suite.parse(text + wide).runs[0].config
    _, tests, _ = evaluation_protocol(config)
    assert config.test_env_kwargs is None and tests[:, 0].max() > 0.5


def test_a_test_set_outside_the_training_space_is_refused_at_load():
    text = MINIMAL.replace('["toy"]', '["cartpole"]').replace('["simulated"]', '["ppo"]')
    table = "[env.cartpole]\nkwargs = { pole_length = [0.3, 0.5] }\ntest_kwargs = {}\n"
    with pytest.raises(ConfigError) as err:
        Suite.parse(text + table, source="bad.toml")
    assert "bad.toml: [env.cartpole] test_kwargs: test task [0.08" in str(err.value)
    assert "lies outside the training task space" in str(err.value)


def test_teachers_given_on_the_command_line_replace_the_suites_under_its_protocol():
    text = MINIMAL.replace('envs = ["toy"]', 'envs = ["toy", "task-graph"]').replace(
        '["random"]', '["random", "alp-gmm"]'
    ) + (
        'eval_interval = 500\n[env.task-graph]\nteachers = ["random"]\nsteps = 300\n'
        "[teacher.alp-gmm]\nfit_rate = 150\n[teacher.riac]\nmax_region_size = 30\n"
    )
    with pytest.raises(ConfigError, match=r"\[teacher.riac\] names a teacher no run"):
        Suite.parse(text)
    suite = Suite.parse(text, teachers=["riac", "plr"])
    assert {str(run.path.parent) for run in suite.runs} == {
        "demo/toy/riac",
        "demo/toy/plr",
        "demo/task-graph/riac",
        "demo/task-graph/plr",
    }
    by_path = {str(run.path): run.config for run in suite.runs}
    assert by_path["demo/toy/riac/seed-0"].teacher_params == {"max_region_size": 30}
    assert by_path["demo/task-graph/plr/seed-2"].teacher_params == {}
    assert by_path["demo/task-graph/plr/seed-2"].steps == 300  # the protocol is kept
    assert by_path["demo/toy/plr/seed-2"].eval_interval == 500
    with pytest.raises(UnknownNameError):
        Suite.parse(text, teachers=["my-teacher"])
    with pytest.raises(ConfigError, match="teachers must list at least one name"):
        Suite.parse(text, teachers=[])
