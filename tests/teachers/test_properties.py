"""Property-based tests: every registered teacher, driven by generated operation sequences.

Hypothesis (``property_harness.py``) generates sequences of ``sample_task`` and ``update`` calls
that mix ordinary feedback with awkward input: returns up to the float limit, long streaks of one
return, tasks at the exact bounds and corners or never proposed, given as arrays, lists or
mappings; NaN and infinite returns, tasks outside the space, of the wrong shape or not numeric;
the students' extra calls where a teacher declares them (``begin_rollout``, ``end_round``, and
``on_rollout_end`` with per-step batches up to the float limit); returns that are not one real
number (None, text, vectors); and state save/load in the middle, on spaces of up to 4
dimensions. Every sequence holds a played block of at least ``MIN_PLAYED`` episodes with varied
returns (then ``TAIL`` more, scaled to 1e300, half the float limit or 1e-200) and a streak of at
least ``MIN_STREAK`` episodes of one return near the float limit; after each, every kind of
invalid call is tried on every dimension.

Each sequence runs on two teachers built alike, ``teacher`` (every call) and ``twin`` (valid
calls only). Checked:

- at every proposal: it is a ``float64`` task of the space, and ``teacher`` and ``twin`` propose
  the same one. So a refused call (which must raise ``InvalidReturnError`` or
  ``InvalidTaskError`` with a message naming the value or dimension) left no trace, and writing
  into a task array after handing it over or receiving it does not reach the teacher;
- at each checkpoint: the twin's ``state_dict()`` from the previous checkpoint (kept in memory
  while the twin went on, then pickled) is loaded into a fresh instance built with another seed,
  which must repeat every result of the calls made since then; it then replaces ``teacher``. And
  ``inner_state()`` is strict JSON: no NaN or infinity, however large the returns;
- throughout: no numpy ``RuntimeWarning`` (overflow, invalid value).

``test_the_checks_catch_a_broken_teacher`` shows each check failing on a teacher built to break
it.

Refits: with their paper settings, teachers that refit a model every N episodes would never
refit in sequences this short (ALP-GMM: every 250 episodes). :data:`FAST` gives them small
settings (GMM fit every 12 episodes, RIAC split at 12 pairs, 4-level PLR buffers, PAIRED rounds
every 8 levels...), so the played block alone crosses several refits, splits or evictions;
``test_fast_settings_refit_within_the_guaranteed_block`` checks that it does. A teacher missing
from :data:`FAST` (a new one) runs with its defaults: add small settings here if it refits slowly.
"""

import numpy as np
import pytest

from aclbench import TaskSpace
from aclbench.teachers import TEACHERS, Capabilities, Teacher, make_teacher
from tests.teachers.property_harness import MIN_PLAYED, Run, check_sequences

SPACES = {
    "2d": TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)}),
    "1d": TaskSpace({"x": (-1.0, 1.0)}),
    "set": TaskSpace({"task": 5}),
    "mixed-4d": TaskSpace(
        {"size": 3, "gravity": (-20.0, 0.0), "wind": (0.0, 20.0), "turbulence": (0.0, 2.0)}
    ),
}

FAST: dict[str, dict] = {
    "adr": {"low_threshold": 0.0, "high_threshold": 0.3, "queue_length": 2, "boundary_prob": 1.0},
    "spdl": {"update_frequency": 10, "offset": 10, "alpha_offset": 1},
    "alp-gmm": {"fit_rate": 12, "k_range": (2, 3)},
    "covar-gmm": {"fit_rate": 12, "k_range": (2, 3)},
    "riac": {"max_region_size": 12},
    "easy-to-hard": {"episodes_to_full": 30},
    "plr": {"buffer_size": 4},
    "robust-plr": {"buffer_size": 4},
    "accel": {"buffer_size": 4, "n_edits": 2},
    "exp3": {"history": 8, "window": 3},
    "exp3s": {"history": 8, "window": 3},
    "goal-gan": {"update_size": 3, "gan_iterations": 3, "n_rollouts": 1},
    "setter-solver": {"success_threshold": 0.5},
    "mastering-rate": {"window": 3},
    "paired": {"epochs": 2, "hidden": 16},
    "clutr": {"epochs": 2, "hidden": 16, "pretrain_steps": 20},
    "sec": {"window": 3},
    "tscl": {"window": 3},
    "dump": {"window": 4, "baseline_window": 3},
    "variance": {"window": 3, "history": 8, "candidates": 4},
    "mpts": {"batch_size": 4, "pool_factor": 2.0},
}
"""Small settings so that refits, splits, full buffers and wrapped windows happen quickly."""

VARIANTS: list[tuple[str, dict]] = [
    ("alp-gmm", {"fit_rate": 12, "k_range": (1, 2), "warm_start": False, "return_bounds": (0, 1)}),
    ("covar-gmm", {"fit_rate": 12, "k_range": (1, 2), "absolute_lp": True, "criterion": "bic"}),
    ("riac", {"max_region_size": 12, "return_bounds": (-1.0, 1.0)}),
    ("plr", {"buffer_size": 4, "transform": "power", "score": "max_mc"}),
    ("goal-gan", {"update_size": 3, "gan_iterations": 3, "success_threshold": 0.5}),
    ("tscl", {"variant": "online"}),
    ("adr", {"low_threshold": -1.0, "high_threshold": 0.5, "boundary_prob": 1.0, "start": None}),
    (
        "spdl",
        {
            "update_frequency": 10,
            "offset": 10,
            "std_lower_bound": 0.1,
            "use_avg_performance": False,
        },
    ),
    ("tscl", {"variant": "naive", "window": 3}),
    ("tscl", {"variant": "sampling", "window": 3}),
    ("tscl", {"variant": "window", "window": 3, "policy": "boltzmann"}),
]
"""Other settings whose code paths the defaults do not reach (``name``, parameters)."""

CONFIGS = [pytest.param(n, FAST.get(n, {}), id=n) for n in TEACHERS.names()] + [
    pytest.param(n, p, id=f"{n}-{i}") for i, (n, p) in enumerate(VARIANTS) if n in TEACHERS
]


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
    "clutr": lambda t: t.rounds >= 4 and "std" in t.last_stats,
    "goal-gan": lambda t: t.gan_updates >= 2,
    "mpts": lambda t: t.trainings >= 2,
    "adr": lambda t: t.moves >= 1,
    "spdl": lambda t: t.updates >= 2,
}
"""What "the model was refitted" means for each teacher of :data:`FAST` that has a model."""


@pytest.mark.parametrize("space_name", SPACES)
@pytest.mark.parametrize("name", REFIT_PROBES)
def test_fast_settings_refit_within_the_guaranteed_block(name, space_name):
    """The played block alone (its shortest length, one seed) reaches several refits."""
    space = SPACES[space_name]
    harness = Run(lambda seed: make_teacher(name, space, seed=seed, **FAST[name]), space)
    harness.step(("play", MIN_PLAYED, 0, 1.0, 0))
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


class EscapesAfterARollout(Uniform):
    """Asks for rollouts, then leaves the space once one arrives."""

    capabilities = Capabilities(rollouts=True)
    rolled = False

    def _on_rollout_end(self, rollout) -> None:
        self.rolled = True

    def _sample_task(self) -> np.ndarray:
        return self.task_space.high + 1.0 if self.rolled else super()._sample_task()


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
    EscapesAfterARollout: "outside the space",
    OverflowsInItsReport: "not strict JSON",
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # OverflowsInItsReport's np.mean
@pytest.mark.parametrize("broken", BROKEN, ids=lambda cls: cls.__name__)
def test_the_checks_catch_a_broken_teacher(broken):
    space = SPACES["mixed-4d"]
    with pytest.raises((AssertionError, pytest.fail.Exception), match=BROKEN[broken]):
        check_sequences(lambda own, seed: broken(own, seed=seed), space, shrink=False)
