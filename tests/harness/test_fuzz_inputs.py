"""Property-based fuzzing of what a user types: any TOML document given as a suite, and any
``-p`` value, gives a valid suite or run config, or one-line ``ACLBenchError``: never another
exception, whose traceback the CLI would print."""

import string

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aclbench.errors import ACLBenchError
from aclbench.harness.checks import check_config
from aclbench.harness.cli import _parse_param
from aclbench.harness.config import RunConfig
from aclbench.harness.suite import TOP_KEYS, Suite

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Names only from these lists: a fuzzed "module:attribute" name must import nothing at random.
NAMES = ["toy", "task-graph", "random", "alp-gmm", "riac", "simulated", "nope", "", "a/b", "json"]
scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(NAMES),
    st.text(string.printable, max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from([*NAMES, "steps", "seeds", "kwargs"]), inner, max_size=3)
    ),
    max_leaves=8,
)
small = {
    "name": st.sampled_from(["s", "", "../x", ".h", "ok-1"]) | values,
    "envs": st.lists(st.sampled_from(NAMES), max_size=3) | values,
    "teachers": st.lists(st.sampled_from(NAMES), max_size=3) | values,
    "students": st.lists(st.sampled_from(NAMES), max_size=3) | values,
    "seeds": st.lists(st.integers(-2, 3), max_size=3) | values,
    "steps": st.integers(-5, 300) | st.integers(10**11, 2**63 - 1) | values,
    "import": st.lists(st.sampled_from(["json", "aclbench_no_such_module", ""]), max_size=2),
}
suites = st.fixed_dictionaries(
    {},
    optional={
        **{key: values for key in TOP_KEYS if key != "import"},
        **small,
        "unknown": values,
    },
)


def refused_in_one_line(call) -> None:
    try:
        call()
    except ACLBenchError as err:
        assert str(err) and "\n" not in str(err), repr(str(err))


@SETTINGS
@given(suites)
def test_any_suite_document_is_a_suite_or_one_line(data):
    refused_in_one_line(lambda: Suite.parse(tomli_w.dumps(data), source="fuzz.toml"))


@SETTINGS
@given(st.text(max_size=200))
def test_any_text_is_a_suite_or_one_line(text):
    if ":" not in text:  # no "module:attribute" name: a random import could do anything
        refused_in_one_line(lambda: Suite.parse(text, source="fuzz.toml"))


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["env.n_dims", "env.noise", "env.cells_per_dim", "teacher.fit_rate"])
    | st.text(string.ascii_letters + "._-", max_size=12),
    st.text(max_size=30) | values.map(lambda v: tomli_w.dumps({"v": v})[4:].strip()),
)
def test_any_param_value_is_a_config_or_one_line(key, raw):
    def build() -> None:
        table, name, value = _parse_param(f"{key}={raw}")
        config = RunConfig.from_dict(
            {
                "env": "toy",
                "teacher": "alp-gmm",
                "student": "simulated",
                "seed": 0,
                "steps": 100,
                table: {name: value},
            }
        )
        check_config(config)

    refused_in_one_line(build)
