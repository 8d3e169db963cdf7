"""Bad constructor parameters of every built-in teacher: one ConfigError that names the teacher
(its registered name), the parameter, what is allowed and the value received."""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.registry import accepted_parameters
from aclbench.task_space import TaskSpace
from aclbench.teachers import TEACHERS, make_teacher
from aclbench.teachers.params import check_int, check_k_range, check_number
from aclbench.teachers.plr import PLRTeacher
from aclbench.teachers.registry import CONSTRUCTOR_ARGS

SPACE = TaskSpace({"task": 3})
"""Three tasks: three arms for the arm teachers, a level vector for the others."""

BUILT_IN = [
    n for n in TEACHERS.names() if TEACHERS.get(n).__module__.startswith("aclbench.teachers.")
]

FRACTION, POSITIVE, NON_NEGATIVE = "in [0, 1]", "> 0", ">= 0"
AT_LEAST_1, AT_LEAST_2 = "an integer >= 1", "an integer >= 2"
GMM = [
    ("preset", "papr", "'paper', 'teachmyagent'"),
    ("fit_rate", 0, AT_LEAST_1),
    ("random_task_ratio", 1.5, FRACTION),
    ("k_range", (3, 2), "1 <= k_min <= k_max"),
    ("n_bootstrap", 0, AT_LEAST_1),
    ("criterion", "aik", "'aic', 'bic', 'aicc'"),
    ("return_bounds", (1.0, 0.0), "finite low < high"),
    ("warm_start", "yes", "true or false"),
    ("k_search", "some", "'all', 'local'"),
]
PLR = [
    ("score", "gae", "'positive_value_loss', 'l1_value_loss', 'max_mc'"),
    ("transform", "softmax", "'rank', 'power'"),
    ("temperature", 0.0, POSITIVE),
    ("staleness_coef", -0.1, FRACTION),
    ("replay_prob", 1.5, FRACTION),
    ("rho", 2, FRACTION),
    ("buffer_size", 2.5, AT_LEAST_1),
]
BINS = ("bins", 0, "need >= 1")
EXP3 = [
    ("eta", 0.0, POSITIVE),
    ("epsilon", 1.5, FRACTION),
    ("beta", -1.0, NON_NEGATIVE),
    ("window", 1, AT_LEAST_2),
    ("history", 10.5, AT_LEAST_1),
    BINS,
]

BAD: dict[str, list[tuple[str, Any, str]]] = {
    "adr": [
        ("low_threshold", math.nan, "a finite number"),
        ("high_threshold", "0,1", "a finite number"),
        ("start", [5.0], "must be a task of"),
        ("preset", "tma", "'teachmyagent'"),
        ("boundary_prob", 1.5, FRACTION),
        ("step_size", 0.0, POSITIVE),
        ("queue_length", 0, AT_LEAST_1),
    ],
    "spdl": [
        ("initial_mean", [5.0], "must be a task of"),
        ("initial_std", 0.0, "a finite number > 0"),
        ("target_mean", "x", "must be a task of"),
        ("target_std", [0.1, 0.2], "a finite number > 0 or 1 of them"),
        ("update_frequency", 0, AT_LEAST_1),
        ("offset", -1, "an integer >= 0"),
        ("alpha_offset", 1.5, "an integer >= 0"),
        ("zeta", -0.1, NON_NEGATIVE),
        ("max_kl", 0.0, POSITIVE),
        ("buffer_size", 0, AT_LEAST_1),
        ("use_avg_performance", 1, "true or false"),
        ("std_lower_bound", -0.1, NON_NEGATIVE),
        ("kl_threshold", math.inf, NON_NEGATIVE),
    ],
    "alp-gmm": [*GMM, ("nn_buffer_size", 0, AT_LEAST_1)],
    "covar-gmm": [*GMM, ("absolute_lp", 1, "true or false")],
    "riac": [
        ("preset", "papr", "'paper', 'teachmyagent'"),
        ("max_region_size", 1, "an integer >= 2"),
        ("n_split_attempts", 0, AT_LEAST_1),
        ("min_region_width", 0.7, "in [0, 0.5]"),
        ("min_region_size", 0, AT_LEAST_1),
        ("alp_window", 2, "an integer >= 3"),
        ("discard_ratio", -0.25, FRACTION),
        ("random_ratio", 1.2, FRACTION),
        ("mutation_ratio", 1.2, FRACTION),
        ("mutation_std", -0.1, NON_NEGATIVE),
        ("return_bounds", (0.0, math.inf), "finite low < high"),
    ],
    "easy-to-hard": [
        ("easy_task", [5.0], "is not a task of"),
        ("initial_width", 1.5, FRACTION),
        ("episodes_to_full", 0, AT_LEAST_1),
    ],
    "tscl": [
        ("variant", "windowed", "'online', 'naive', 'window', 'sampling'"),
        ("policy", "ucb", "'egreedy', 'boltzmann', 'thompson'"),
        ("epsilon", 1.5, FRACTION),
        ("temperature", 0.0, POSITIVE),
        ("alpha", -0.1, FRACTION),
        ("window", 1, AT_LEAST_2),
        BINS,
    ],
    "exp3": EXP3,
    "exp3s": [*EXP3, ("alpha", 1.1, FRACTION)],
    "sec": [
        ("alpha", True, FRACTION),
        ("temperature", -1.0, POSITIVE),
        ("window", 0, AT_LEAST_1),
        ("advantage", "td", "'return', 'gae'"),
        BINS,
    ],
    "mastering-rate": [
        ("graph", {0: [7]}, "unknown task 7"),
        ("task_names", ["a"], "1 names for 3 tasks"),
        ("min_returns", [0.0, 0.0], "one finite number or 3"),
        ("max_returns", math.nan, "one finite number or 3"),
        ("window", 1, AT_LEAST_2),
        ("power", 0.0, POSITIVE),
        ("potential_prop", 1.5, FRACTION),
        ("pred_attention", -0.2, FRACTION),
        ("succ_attention", 2.0, FRACTION),
        BINS,
    ],
    "plr": PLR,
    "dump": [
        ("window", 0, AT_LEAST_1),
        ("temperature", 0.0, POSITIVE),
        ("baseline_window", 2.5, AT_LEAST_1),
        BINS,
    ],
    "variance": [
        ("window", 1, AT_LEAST_2),
        ("history", 5, "an integer >= 10"),
        ("candidates", 0, AT_LEAST_1),
        ("epsilon", 1.5, FRACTION),
        ("success_threshold", math.nan, "a finite number"),
    ],
    "mpts": [
        ("batch_size", 0, AT_LEAST_1),
        ("pool_factor", 0.5, ">= 1"),
        ("uniform_fraction", -0.1, FRACTION),
        ("gamma_mu", math.nan, "a finite number"),
        ("gamma_sigma", math.inf, "a finite number"),
        ("latent_samples", 1, AT_LEAST_2),
        ("learning_rate", 0.0, POSITIVE),
        ("train_steps", 0, AT_LEAST_1),
        ("train_rows", 0, AT_LEAST_1),
        ("memory", 3, "an integer >= 16"),
    ],
    "robust-plr": PLR,
    "accel": [*PLR, ("n_edits", 2.5, AT_LEAST_1)],
    "goal-gan": [
        ("goid_lb", -0.1, FRACTION),
        ("goid_ub", 1.5, FRACTION),
        ("update_size", 0, AT_LEAST_1),
        ("n_rollouts", 2.5, AT_LEAST_1),
        ("p_old", 2.0, FRACTION),
        ("state_noise_level", -0.01, NON_NEGATIVE),
        ("success_distance_threshold", -1.0, NON_NEGATIVE),
        ("success_threshold", math.inf, "a finite number"),
        ("return_bounds", (1.0, 0.0), "finite low < high"),
        ("gan_iterations", 0, AT_LEAST_1),
    ],
    "again": [
        ("classroom", 3, "a folder of alp-gmm runs or None"),
        ("pretest_evaluations", 0, AT_LEAST_1),
        ("k", 0, AT_LEAST_1),
        ("replay", "R", "'reward', 'time', 'pool'"),
        ("alp_threshold", -0.1, NON_NEGATIVE),
        ("reward_window", 0, AT_LEAST_1),
        ("tolerance", 0.0, POSITIVE),
        ("random_task_ratio", 1.5, FRACTION),
        ("alp_gmm", 3, "a table of parameters"),
    ],
    "setter-solver": [
        ("update_frequency", 0, AT_LEAST_1),
        ("setter_loss_noise_ub", -0.1, FRACTION),
        ("setter_hidden_size", 0, AT_LEAST_1),
        ("gradient_steps", 1.5, AT_LEAST_1),
        ("n_blocks", 0, AT_LEAST_1),
        ("n_highway", -1, "an integer >= 0"),
        ("judge_hidden", [64, 0], "a non-empty list of integers >= 1"),
        ("learning_rate", 0.0, POSITIVE),
        ("success_threshold", math.nan, "a finite number"),
    ],
    "paired": [
        ("learning_rate", 0.0, POSITIVE),
        ("epochs", 0, AT_LEAST_1),
        ("clip_range", -0.2, POSITIVE),
        ("entropy_coef", math.nan, NON_NEGATIVE),
        ("hidden", 64.5, AT_LEAST_1),
        ("bins", 0, AT_LEAST_1),
    ],
    "clutr": [
        ("model", "no-such-file.pt", "a VAE file of benchmarks.clutr_pretrain"),
        ("model", 3, "a VAE file of benchmarks.clutr_pretrain"),
        ("pretrain_steps", 0, AT_LEAST_1),
        ("learning_rate", 0.0, POSITIVE),
        ("epochs", 0, AT_LEAST_1),
        ("clip_range", -0.2, POSITIVE),
        ("entropy_coef", math.nan, NON_NEGATIVE),
        ("hidden", 64.5, AT_LEAST_1),
        ("context_dim", 0, AT_LEAST_1),
        ("bins", 0, AT_LEAST_1),
    ],
}
"""Per teacher, ``(parameter, bad value, what the message says is allowed)``."""

CASES = [
    pytest.param(teacher, name, value, allowed, id=f"{teacher}-{name}={value!r}")
    for teacher, rows in BAD.items()
    for name, value, allowed in rows
]


def constructor_parameters(teacher: str) -> dict[str, inspect.Parameter]:
    parameters = accepted_parameters(TEACHERS.get(teacher)) or {}
    return {k: p for k, p in parameters.items() if k not in CONSTRUCTOR_ARGS}


@pytest.mark.parametrize("teacher, name, value, allowed", CASES)
def test_bad_value_names_teacher_parameter_and_what_is_allowed(
    teacher: str, name: str, value: Any, allowed: str
) -> None:
    with pytest.raises(ConfigError) as error:
        make_teacher(teacher, SPACE, seed=0, **{name: value})
    message = str(error.value)
    assert message.startswith(f"{teacher}: "), message
    assert name in message and allowed in message, message


def test_every_parameter_of_every_built_in_teacher_has_a_bad_value_case() -> None:
    covered = {(teacher, name) for teacher, rows in BAD.items() for name, _, _ in rows}
    wanted = {(teacher, name) for teacher in BUILT_IN for name in constructor_parameters(teacher)}
    assert wanted - covered == set()
    assert set(BUILT_IN) - set(BAD) == {"random"}  # random takes no parameter


JUNK = [True, math.nan, math.inf, None, "0,1"]
"""Never a valid number: a bool, NaN, infinity, nothing, a string (``-p x=0,1``)."""

NUMERIC = [
    pytest.param(teacher, name, id=f"{teacher}-{name}")
    for teacher in BUILT_IN
    for name, param in constructor_parameters(teacher).items()
    if type(param.default) in (int, float)
]


@pytest.mark.parametrize("teacher, name", NUMERIC)
def test_numeric_parameters_refuse_bools_nan_inf_none_and_strings(teacher: str, name: str) -> None:
    integer = type(constructor_parameters(teacher)[name].default) is int
    for value in JUNK + ([2.5, "3"] if integer else []):
        with pytest.raises(ConfigError) as error:
            make_teacher(teacher, SPACE, seed=0, **{name: value})
        message = str(error.value)
        assert message.startswith(f"{teacher}: ") and name in message, message
        assert repr(value) in message, message


def test_integral_floats_are_accepted_as_integers_and_change_nothing() -> None:
    """TOML and ``-p`` read ``4e3`` as a float: it names the integer 4000 exactly."""
    plr = make_teacher("plr", SPACE, seed=0, buffer_size=4e3)
    assert plr.buffer.capacity == 4000 and type(plr.buffer.capacity) is int
    as_floats = make_teacher("exp3", SPACE, seed=3, window=5.0, history=np.float64(50))
    as_ints = make_teacher("exp3", SPACE, seed=3, window=5, history=50)
    assert as_floats.reservoir.size == 50
    for _ in range(60):
        task = as_ints.sample_task()
        assert as_floats.sample_task().tolist() == task.tolist()
        for teacher in (as_floats, as_ints):
            teacher.update(task, float(task[0] == 2.0))


def test_helpers_by_hand() -> None:
    assert check_int("t", "n", np.int64(3), 1) == 3
    assert check_int("t", "n", 3.0, 1) == 3
    assert check_number("t", "x", np.float32(0.5), 0.0, 1.0) == 0.5
    assert check_k_range("t", [2, 10.0]) == (2, 10)
    for bad in (np.bool_(True), 1e400, "3"):
        with pytest.raises(ConfigError, match="t: n must be an integer >= 1"):
            check_int("t", "n", bad, 1)
    with pytest.raises(ConfigError, match=r"t: x must be a finite number in \(0, 1\], got 0"):
        check_number("t", "x", 0, 0.0, 1.0, above_low=True)
    for bad in ((5, 2), (0, 2), (1,), (1, 2.5), (True, 2), "ab", 3):
        with pytest.raises(ConfigError, match="t: k_range must be"):
            check_k_range("t", bad)


def test_a_subclass_not_registered_is_named_by_its_class() -> None:
    class MyPLR(PLRTeacher):
        pass

    with pytest.raises(ConfigError, match="^MyPLR: buffer_size must be an integer >= 1, got 0$"):
        MyPLR(SPACE, buffer_size=0)
