"""The harness of the teacher property tests (tests/teachers/test_properties.py).

Hypothesis generates sequences of operations on a teacher (:data:`SEQUENCES`); :class:`Run`
plays them on two teachers built alike, ``teacher`` (every call) and ``twin`` (valid calls
only), and checks after every step; :func:`check_sequences` runs the generated examples.
"""

import copy
import json
import pickle
import sys
from collections import deque
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from aclbench import TaskSpace
from aclbench.errors import InvalidReturnError, InvalidTaskError
from aclbench.teachers import Rollout, Teacher
from aclbench.teachers.checker import synthetic_return

MAX_DIMS = 4
"""Largest task space the strategies draw tasks for."""

HOOKS = {"begin_rollout": "rollout_mode", "end_round": "adversarial"}
"""Calls that students make on teachers that declare the capability they belong to (PLR's
rollout decision, PAIRED's round end, see ``students.rollout_modes`` and ``students.paired``);
no arguments."""

ROUND = 8
"""In the played block, a teacher with ``adversarial`` also gets the antagonist's episode on each
level and a round ends every ``ROUND`` levels, as ``students.paired`` drives PAIRED."""

MIN_PLAYED = 40
"""Episodes of the played block every sequence contains (more than 3 x the refit periods)."""

TAIL = 2 * ROUND
"""Episodes played after those, with returns scaled by a huge or tiny factor (varied returns
near the float limit: their differences overflow, as a constant streak's do not)."""

MIN_STREAK = 20
"""Episodes of the streak of one return near the float limit that every sequence contains."""

# --- strategies ----------------------------------------------------------------------------
UNIT = st.lists(st.floats(0.0, 1.0), min_size=MAX_DIMS, max_size=MAX_DIMS)
SOURCES = st.one_of(
    st.tuples(st.just("proposed"), st.integers(0, 7), UNIT),  # a recent proposal, if any
    st.tuples(st.just("corner"), st.integers(0, 2**MAX_DIMS - 1)),
    st.tuples(st.just("edge"), st.integers(0, MAX_DIMS - 1), st.booleans(), UNIT),
    st.tuples(st.just("random"), UNIT),  # most likely never proposed
)
FINITE = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 5e-324, 1e300, -1e300]),
    st.sampled_from([sys.float_info.max, -sys.float_info.max]),
    st.floats(-2.0, 2.0),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**6), 10**6),
)
NON_FINITE_VALUES = (float("nan"), float("inf"), -float("inf"), np.float32("nan"))
NOT_A_NUMBER_VALUES = (None, "1.0", np.array([1.0, 2.0]), [0.5])  # refused before any update
BAD_TASK_KINDS = ("above", "below", "nan", "inf", "fraction", "short", "long", "matrix", "text")
BAD_TASK_KINDS += ("keys",)  # a mapping with a name that is not a dimension
NON_FINITE = st.sampled_from(NON_FINITE_VALUES)
BAD_TASKS = st.sampled_from(BAD_TASK_KINDS)
FORMATS = st.sampled_from(["array", "list", "dict"])
INFOS = st.sampled_from([{}, {"agent": "protagonist"}, {"agent": "antagonist"}])  # as PAIRED's
OPS = st.one_of(
    st.tuples(st.just("sample")),
    st.tuples(
        st.just("update"), SOURCES, FINITE, st.sampled_from([None, True, False]), INFOS, FORMATS
    ),
    st.tuples(
        st.just("streak"), st.booleans(), SOURCES, FINITE, st.integers(2, 30)
    ),  # one return, again and again, on one task or on each proposal
    st.tuples(st.just("bad_return"), SOURCES, NON_FINITE),
    st.tuples(st.just("bad_task"), BAD_TASKS, st.integers(0, MAX_DIMS - 1), FINITE),
    st.tuples(st.just("checkpoint")),
    st.tuples(st.just("hook"), st.sampled_from(sorted(HOOKS))),
    st.tuples(st.just("refuse")),
    st.tuples(st.just("rollout"), st.integers(0, 2**16), FINITE),
)
PLAY = st.tuples(
    st.just("play"),
    st.integers(MIN_PLAYED, MIN_PLAYED + 5),
    st.integers(0, 2**16),
    st.sampled_from([1e300, sys.float_info.max / 2, 1e-200]),
    st.just(TAIL),
)
EXTREME = st.tuples(
    st.just("streak"),
    st.booleans(),
    SOURCES,
    st.sampled_from([sys.float_info.max, -sys.float_info.max, 1e300, -1e300]),
    st.integers(MIN_STREAK, MIN_STREAK + 5),
)


def _sequence(first: list, play: tuple, extreme: tuple, swap: bool, rest: list) -> list[tuple]:
    one, two = (extreme, play) if swap else (play, extreme)
    return [*first, one, ("refuse",), ("checkpoint",), two, ("refuse",), *rest]


SEQUENCES = st.builds(
    _sequence, st.lists(OPS, max_size=8), PLAY, EXTREME, st.booleans(), st.lists(OPS, max_size=12)
)
"""Random operations around a played block and a long streak of one extreme return (in either
order), each followed by every kind of invalid call, with a checkpoint between them."""


# --- the harness ---------------------------------------------------------------------------
class Run:
    """``teacher`` (every call) and ``twin`` (valid calls only), checked after each step.

    ``make(seed)`` builds a teacher on ``space``.
    """

    def __init__(self, make: Callable[[int], Teacher], space: TaskSpace) -> None:
        self.make, self.space = make, space
        self.teacher, self.twin = make(0), make(0)
        self.snapshot = self.twin.state_dict()  # in memory, pickled only when checked
        self.log: list[tuple] = []  # (method, args, kwargs, result) of valid calls since then
        self.proposals: deque[np.ndarray] = deque(maxlen=8)

    def task(self, source: tuple) -> np.ndarray:
        space, kind = self.space, source[0]
        if kind == "proposed" and self.proposals:
            return self.proposals[source[1] % len(self.proposals)].copy()
        if kind == "corner":
            bits = (source[1] >> np.arange(len(space))) & 1
            return np.where(bits == 1, space.high, space.low)
        unit = np.array(source[-1][: len(space)])
        task = space.clip(space.from_unit(unit))
        if kind == "edge":
            dim = source[1] % len(space)
            task[dim] = space.high[dim] if source[2] else space.low[dim]
        return task

    # --- valid calls ---------------------------------------------------------------------
    def sample(self) -> np.ndarray:
        try:
            proposed, expected = self.teacher.sample_task(), self.twin.sample_task()
        except InvalidTaskError as err:
            raise AssertionError(f"the teacher proposed a task outside the space: {err}") from err
        assert isinstance(proposed, np.ndarray) and proposed.dtype == np.float64
        assert self.space.contains(proposed), f"{proposed} is outside {self.space}"
        np.testing.assert_array_equal(
            proposed, expected, err_msg="a rejected call or a caller's write changed the teacher"
        )
        self.log.append(("sample_task", (), {}, expected.copy()))
        self.proposals.append(expected.copy())
        if proposed.flags.writeable:  # the caller owns what it receives
            proposed.fill(np.nan)
        return expected

    def update(self, task, value, success=None, info=None, fmt: str = "array") -> None:
        given, feedback = task.copy(), {"success": success, "info": info}
        if fmt == "dict":
            self.teacher.update(self.space.to_dict(given), value, **feedback)
        elif fmt == "list":
            self.teacher.update(given.tolist(), value, **feedback)
        else:
            self.teacher.update(given, value, **feedback)
            given.fill(np.nan)  # the caller may reuse its array
        self.twin.update(task.copy(), value, **feedback)
        self.log.append(("update", (task.copy(), value), feedback, None))

    def hook(self, method: str) -> None:
        if getattr(self.twin.capabilities, HOOKS[method]):
            result = getattr(self.twin, method)()
            np.testing.assert_array_equal(getattr(self.teacher, method)(), result)
            self.log.append((method, (), {}, result))

    def rollout(self, rng: np.random.Generator, scale: float) -> None:
        """A batch of per-step signals on recent proposals, as an on-policy student sends it
        after ``ROUND`` steps on each of 2 envs, to the teachers that ask for them; the values
        at episode starts as initial-state values, to those that ask for these."""
        capabilities = self.twin.capabilities
        if not (capabilities.rollouts or capabilities.initial_values):
            return
        tasks = list(self.proposals) or [self.space.low.copy()]
        n_steps, n_envs = ROUND, 2
        picks = rng.integers(len(tasks), size=(n_steps, n_envs))
        values = rng.uniform(-1.0, 1.0, (n_steps, n_envs)) * scale
        advantages = rng.uniform(-1.0, 1.0, (n_steps, n_envs)) * scale
        starts = rng.random((n_steps, n_envs)) < 0.3
        starts[0] = True
        with np.errstate(over="ignore"):  # targets of huge values saturate, as a float does
            returns = np.clip(advantages + values, -sys.float_info.max, sys.float_info.max)
        rollout = Rollout(
            tasks=np.stack([[tasks[k] for k in row] for row in picks]),
            rewards=rng.uniform(-1.0, 1.0, (n_steps, n_envs)) * scale,
            values=values,
            advantages=advantages,
            returns=returns,
            episode_starts=starts,
        )
        if capabilities.initial_values:
            initial = (rollout.tasks[starts], values[starts])
            self.teacher.on_initial_values(*copy.deepcopy(initial))
            self.twin.on_initial_values(*copy.deepcopy(initial))
            self.log.append(("on_initial_values", initial, {}, None))
        if capabilities.rollouts:
            self.teacher.on_rollout_end(copy.deepcopy(rollout))
            self.twin.on_rollout_end(copy.deepcopy(rollout))
            self.log.append(("on_rollout_end", (rollout,), {}, None))

    # --- invalid calls -------------------------------------------------------------------
    def refuse_everything(self) -> None:
        """Every kind of invalid call, on every dimension: each must be refused, and leave no
        trace that the next proposals would show."""
        task = self.proposals[-1] if self.proposals else self.space.low.copy()
        for value in NON_FINITE_VALUES:
            self.bad_return(task, value)
        for value in NOT_A_NUMBER_VALUES:
            with pytest.raises(InvalidReturnError, match="one real number"):
                self.teacher.update(task, value)
        for kind in BAD_TASK_KINDS:
            for dim in range(len(self.space)):
                self.bad_task(kind, dim, 0.0)

    def bad_return(self, task: np.ndarray, value: float) -> None:
        with pytest.raises(InvalidReturnError, match=f"{float(value)!r}.*not finite"):
            self.teacher.update(task, value)

    def bad_task(self, kind: str, dim: int, value: float) -> None:
        space = self.space
        dim %= len(space)
        task, name = space.clip(space.from_unit(np.full(len(space), 0.5))), space.names[dim]
        match = f"{name!r}"
        if kind in ("above", "below"):
            bound = space.high[dim] if kind == "above" else space.low[dim]
            task[dim] = np.nextafter(bound, np.inf if kind == "above" else -np.inf)
        elif kind in ("nan", "inf"):
            task[dim] = float(kind)
        elif kind == "fraction" and space.discrete[dim]:
            task[dim] = space.low[dim] + 0.5
        elif kind in ("short", "long", "matrix", "fraction"):  # fraction of a continuous dim
            task = {"short": task[:-1], "long": np.append(task, 0.0)}.get(kind, task[None, :])
            match = "shape"
        elif kind == "text":
            task, match = [str(v) + "x" for v in task.tolist()], "not numeric"
        else:  # wrong keys
            task, match = {**space.to_dict(task), "unknown": 0.0}, "unknown"
        with pytest.raises(InvalidTaskError, match=match):
            self.teacher.update(task, value)

    # --- persistence ---------------------------------------------------------------------
    def checkpoint(self) -> None:
        """Replay the calls since the last snapshot on a restored copy; take a new snapshot."""
        restored = self.make(12345)  # another seed: the generator must come from the state
        restored.load_state_dict(pickle.loads(pickle.dumps(self.snapshot)))
        for i, (method, args, kwargs, result) in enumerate(self.log):
            np.testing.assert_array_equal(
                getattr(restored, method)(*args, **kwargs),
                result,
                err_msg=f"restored teacher diverged at call {i} ({method}) after the snapshot",
            )
        self.teacher = restored
        self.snapshot, self.log = self.twin.state_dict(), []
        try:
            json.dumps(self.twin.inner_state(), allow_nan=False)  # strict JSON: no NaN, no inf
        except ValueError as err:
            raise AssertionError(f"inner_state() is not strict JSON: {err}") from err

    # --- driver --------------------------------------------------------------------------
    def step(self, op: tuple) -> None:
        kind = op[0]
        if kind == "sample":
            self.sample()
        elif kind == "update":
            self.update(self.task(op[1]), *op[2:])
        elif kind == "streak":
            _, resample, source, value, length = op
            task = self.task(source)
            for _ in range(length):
                self.update(self.sample() if resample else task, value)
        elif kind == "play":
            _, length, seed, tail_scale, tail = op
            rng = np.random.default_rng(seed)
            rounds = self.twin.capabilities.adversarial
            for i in range(length + tail):
                task = self.sample()
                gain = min(i / (length / 2), 1.0)  # returns that rise, then settle
                gain *= tail_scale if i >= length else 1.0
                for agent in ("protagonist", "antagonist")[: 1 + rounds]:
                    value = gain * synthetic_return(self.space, task, rng)
                    self.update(task, value, info={"agent": agent})
                if rounds and i % ROUND == ROUND - 1:
                    self.hook("end_round")
                if i % ROUND == ROUND - 1:
                    self.rollout(rng, gain)
        elif kind == "bad_return":
            self.bad_return(self.task(op[1]), op[2])
        elif kind == "bad_task":
            self.bad_task(*op[1:])
        elif kind == "hook":
            self.hook(op[1])
        elif kind == "refuse":
            self.refuse_everything()
        elif kind == "rollout":
            self.rollout(np.random.default_rng(op[1]), op[2])
        else:
            self.checkpoint()


def check_sequences(
    make: Callable[[TaskSpace, int], Teacher], space: TaskSpace, shrink: bool = True
) -> None:
    """Run generated sequences on teachers ``make(space, seed)``; raise at the first broken rule.

    Each example gets its own copy of ``space``: a teacher that hands out the space's own
    arrays (caught here when the caller's write reaches them) spoils no other test.
    """

    @settings(
        max_examples=5,
        deadline=None,
        derandomize=True,
        database=None,
        phases=list(Phase) if shrink else [Phase.generate],
        report_multiple_bugs=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(ops=SEQUENCES)
    def run(ops: list[tuple]) -> None:
        own = copy.deepcopy(space)
        harness = Run(lambda seed: make(own, seed), own)
        for op in ops:
            harness.step(op)
        for _ in range(3):
            harness.sample()
        harness.checkpoint()

    run()
