"""Property-based tests: every registered teacher driven by random operation sequences.

Hypothesis generates sequences of ``sample_task`` and ``update`` calls mixing ordinary feedback
with awkward input: returns up to the float limit, long streaks of one constant return, tasks at
the exact bounds and corners of the space, tasks the teacher never proposed, NaN and infinite
returns, tasks outside the space or of the wrong shape, and state save/load in the middle.

Each sequence runs on two teachers built alike: ``teacher`` gets every call, ``twin`` only the
valid ones. Invariants checked after every step:

- every proposed task is a ``float64`` task of the space, and ``teacher`` and ``twin`` propose
  the same one: a rejected call (``InvalidReturnError``, ``InvalidTaskError``, which must be
  raised) left no trace, and nothing the caller does to a task array after handing it over or
  receiving it (here: overwriting it) reaches the teacher;
- at each checkpoint, the twin's ``state_dict()`` saved at the previous checkpoint (kept in
  memory while the twin went on, then pickled) is loaded into a fresh instance built with another
  seed; replaying the calls made since then, it must propose exactly the tasks the twin
  proposed. That instance then replaces ``teacher``;
- ``inner_state()`` (checked at each checkpoint) is strict JSON: finite returns, however large,
  must not leave NaN or infinities in what the teacher reports; and no numpy ``RuntimeWarning``
  (overflow, invalid value) is raised on the way.

``test_the_checks_catch_a_broken_teacher`` shows that each of these checks fails on a teacher
built to break it.

Refits: teachers that refit a model every N episodes would never refit in short sequences with
their paper settings (ALP-GMM: every 250 episodes). :data:`FAST` gives them small settings, and
every generated sequence contains a block of at least :data:`MIN_PLAYED` played episodes with
varied returns, so each example crosses several refits, splits or buffer evictions;
``test_fast_settings_refit_within_the_guaranteed_block`` checks that this holds. A teacher not in
:data:`FAST` (a new one) runs with its defaults: give it small settings here if it refits slowly.
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
from teachers import TEACHERS, Teacher, make_teacher
from teachers.checker import synthetic_return

SPACES = {
    "2d": TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)}),
    "1d": TaskSpace({"x": (-1.0, 1.0)}),
    "set": TaskSpace({"task": 5}),
    "mixed": TaskSpace({"size": 3, "gravity": (-20.0, 0.0)}),
}
MAX_DIMS = 2

HOOKS = ("begin_rollout", "end_round")
"""Calls that students make on teachers that have them (PLR's rollout decision, PAIRED's round
end, see ``students.rollout_modes`` and ``students.paired``); no arguments."""

ROUND = 8
"""In the played block, a teacher with ``end_round`` also gets the antagonist's episode on each
level and a round ends every ``ROUND`` levels, as ``students.paired`` drives PAIRED."""

MIN_PLAYED = 40
"""Episodes of the played block every sequence contains (more than 3 x the refit periods)."""

MIN_STREAK = 20
"""Episodes of the streak of one return near the float limit that every sequence contains."""

FAST: dict[str, dict] = {
    "alp-gmm": {"fit_rate": 12, "k_range": (2, 3)},
    "covar-gmm": {"fit_rate": 12, "k_range": (2, 3)},
    "riac": {"max_region_size": 12},
    "easy-to-hard": {"episodes_to_full": 30},
    "plr": {"buffer_size": 4},
    "robust-plr": {"buffer_size": 4},
    "accel": {"buffer_size": 4, "n_edits": 2},
    "exp3": {"history": 8, "window": 3},
    "exp3s": {"history": 8, "window": 3},
    "mastering-rate": {"window": 3},
    "paired": {"epochs": 2, "hidden": 16},
    "sec": {"window": 3},
    "tscl": {"window": 3},
}
"""Small settings so that refits, splits, full buffers and wrapped windows happen quickly."""

VARIANTS: list[tuple[str, dict]] = [
    ("alp-gmm", {"fit_rate": 12, "k_range": (1, 2), "warm_start": False, "return_bounds": (0, 1)}),
    ("covar-gmm", {"fit_rate": 12, "k_range": (1, 2), "absolute_lp": True, "criterion": "bic"}),
    ("riac", {"max_region_size": 12, "return_bounds": (-1.0, 1.0)}),
    ("plr", {"buffer_size": 4, "transform": "power", "score": "max_mc"}),
    ("tscl", {"variant": "online"}),
    ("tscl", {"variant": "naive", "window": 3}),
    ("tscl", {"variant": "sampling", "window": 3}),
    ("tscl", {"variant": "window", "window": 3, "policy": "boltzmann"}),
]
"""Other settings whose code paths the defaults do not reach (``name``, parameters)."""

CONFIGS = [pytest.param(n, FAST.get(n, {}), id=n) for n in TEACHERS.names()] + [
    pytest.param(n, p, id=f"{n}-{i}") for i, (n, p) in enumerate(VARIANTS) if n in TEACHERS
]

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
    st.tuples(st.just("hook"), st.sampled_from(HOOKS)),
    st.tuples(st.just("refuse")),
)
PLAY = st.tuples(
    st.just("play"),
    st.integers(MIN_PLAYED, MIN_PLAYED + 10),
    st.integers(0, 2**16),
    st.sampled_from([1.0, 1e-200, 1e300]),
)
EXTREME = st.tuples(
    st.just("streak"),
    st.booleans(),
    SOURCES,
    st.sampled_from([sys.float_info.max, -sys.float_info.max, 1e300, -1e300]),
    st.integers(MIN_STREAK, MIN_STREAK + 10),
)
BETWEEN = (("refuse",), ("checkpoint",))
SEQUENCES = st.builds(
    lambda first, play, second, extreme, last, swap: [
        *first,
        *((extreme, *BETWEEN, play) if swap else (play, *BETWEEN, extreme)),
        ("refuse",),
        *second,
        *last,
    ],
    st.lists(OPS, max_size=8),
    PLAY,
    st.lists(OPS, max_size=8),
    EXTREME,
    st.lists(OPS, max_size=8),
    st.booleans(),
)
"""Every sequence has a played block and a long streak of one extreme return, in either order,
each followed by every kind of invalid call, with a checkpoint between them, among random
operations."""


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
        if hasattr(self.twin, method):
            result = getattr(self.twin, method)()
            np.testing.assert_array_equal(getattr(self.teacher, method)(), result)
            self.log.append((method, (), {}, result))

    # --- invalid calls -------------------------------------------------------------------
    def refuse_everything(self) -> None:
        """Every kind of invalid call, on every dimension: each must be refused, and leave no
        trace that the next proposals would show."""
        task = self.proposals[-1] if self.proposals else self.space.low.copy()
        for value in NON_FINITE_VALUES:
            self.bad_return(task, value)
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
            _, length, seed, scale = op
            rng = np.random.default_rng(seed)
            rounds = hasattr(self.twin, "end_round")
            for i in range(length):
                task = self.sample()
                gain = min(i / (length / 2), 1.0)  # returns that rise, then settle
                for agent in ("protagonist", "antagonist")[: 1 + rounds]:
                    value = scale * gain * synthetic_return(self.space, task, rng)
                    self.update(task, value, info={"agent": agent})
                if rounds and i % ROUND == ROUND - 1:
                    self.hook("end_round")
        elif kind == "bad_return":
            self.bad_return(self.task(op[1]), op[2])
        elif kind == "bad_task":
            self.bad_task(*op[1:])
        elif kind == "hook":
            self.hook(op[1])
        elif kind == "refuse":
            self.refuse_everything()
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


@pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy overflow or invalid values
@pytest.mark.parametrize("space_name", SPACES)
@pytest.mark.parametrize(("name", "params"), CONFIGS)
def test_random_operation_sequences_keep_every_invariant(name, params, space_name):
    space = SPACES[space_name]
    check_sequences(lambda own, seed: make_teacher(name, own, seed=seed, **params), space)


REFIT_PROBES = {
    "alp-gmm": lambda t: t.fitted_at is not None and t.fitted_at > 2 * t.fit_rate,
    "covar-gmm": lambda t: t.fitted_at is not None and t.fitted_at > 2 * t.fit_rate,
    "riac": lambda t: len(t.regions) > 3,
    "easy-to-hard": lambda t: t.episodes >= t.episodes_to_full,
    "plr": lambda t: len(t.buffer) == t.buffer.capacity and t.replays > 0,
    "robust-plr": lambda t: len(t.buffer) == t.buffer.capacity and t.replays > 0,
    "accel": lambda t: len(t.buffer) == t.buffer.capacity and t.edited_levels > 0,
    "exp3": lambda t: t.signals_seen > t.reservoir.size,
    "exp3s": lambda t: t.signals_seen > t.reservoir.size,
    "paired": lambda t: t.rounds >= 4 and "entropy" in t.last_stats,
}
"""What "the model was refitted" means for each teacher of :data:`FAST` that has a model."""


@pytest.mark.parametrize("space_name", SPACES)
@pytest.mark.parametrize("name", REFIT_PROBES)
def test_fast_settings_refit_within_the_guaranteed_block(name, space_name):
    """The played block alone (its shortest length, one seed) reaches several refits."""
    space = SPACES[space_name]
    harness = Run(lambda seed: make_teacher(name, space, seed=seed, **FAST[name]), space)
    harness.step(("play", MIN_PLAYED, 0, 1.0))
    assert REFIT_PROBES[name](harness.twin), f"{name} did not refit in {MIN_PLAYED} episodes"


# --- the checks catch broken teachers ------------------------------------------------------
class Uniform(Teacher):
    def _sample_task(self) -> np.ndarray:
        return self.task_space.sample(self.rng)


class RecordsRejectedCalls(Uniform):
    """Overrides ``update`` (a teacher must not) and counts calls before they are validated."""

    calls = 0

    def update(self, task, episode_return, **kwargs) -> None:
        self.calls += 1
        super().update(task, episode_return, **kwargs)

    def _sample_task(self) -> np.ndarray:
        return self.task_space.sample(self.rng) if self.calls % 2 else self.task_space.low.copy()


class AcceptsNonFiniteReturns(Uniform):
    def update(self, task, episode_return, **kwargs) -> None:
        self._update(self.task_space.validate(task), float(episode_return), None, {})


class HandsOutItsOwnArray(Uniform):
    """Returns the array it keeps, so a caller writing into a proposed task changes it."""

    current = None

    def _sample_task(self) -> np.ndarray:
        if self.current is None or self.rng.random() < 0.5:
            self.current = self.task_space.sample(self.rng)
        return self.current


class KeepsTheCallersArray(Uniform):
    """Keeps the array given to ``update`` and proposes it again."""

    last = None

    def _update(self, task, episode_return, success, info) -> None:
        self.last = task

    def _sample_task(self) -> np.ndarray:
        return self.task_space.sample(self.rng) if self.last is None else self.last.copy()


class ForgetsItsGenerator(Uniform):
    def state_dict(self) -> dict:
        return {k: v for k, v in super().state_dict().items() if k != "rng"}


class EscapesAfterHugeReturns(Uniform):
    huge = False

    def _update(self, task, episode_return, success, info) -> None:
        self.huge = self.huge or abs(episode_return) > 1e200

    def _sample_task(self) -> np.ndarray:
        return self.task_space.high + 1.0 if self.huge else super()._sample_task()


class EscapesAfterAStreak(Uniform):
    """Leaves the space after 20 equal returns in a row."""

    streak, previous = 0, None

    def _update(self, task, episode_return, success, info) -> None:
        self.streak = self.streak + 1 if episode_return == self.previous else 1
        self.previous = episode_return

    def _sample_task(self) -> np.ndarray:
        return self.task_space.low - 1.0 if self.streak >= 20 else super()._sample_task()


class OverflowsInItsReport(Uniform):
    """Reports the mean of all returns, which overflows near the float limit."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.returns: list[float] = []

    def _update(self, task, episode_return, success, info) -> None:
        self.returns.append(episode_return)

    def inner_state(self) -> dict:
        return {"mean_return": float(np.mean(self.returns)) if self.returns else None}


BROKEN = {
    RecordsRejectedCalls: "a rejected call",
    AcceptsNonFiniteReturns: "DID NOT RAISE",
    HandsOutItsOwnArray: "outside the space",
    KeepsTheCallersArray: "outside the space",
    ForgetsItsGenerator: "restored teacher diverged",
    EscapesAfterHugeReturns: "outside the space",
    EscapesAfterAStreak: "outside the space",
    OverflowsInItsReport: "not strict JSON",
}


@pytest.mark.parametrize("broken", BROKEN, ids=lambda cls: cls.__name__)
def test_the_checks_catch_a_broken_teacher(broken):
    space = SPACES["mixed"]
    with pytest.raises((AssertionError, pytest.fail.Exception), match=BROKEN[broken]):
        check_sequences(lambda own, seed: broken(own, seed=seed), space, shrink=False)
