"""The Teacher interface: what every curriculum algorithm implements.

A teacher proposes the next training task and learns from the student's feedback. The public
methods do the bookkeeping (validation, counters) and call one protected hook each, as
Stable-Baselines3's ``BaseCallback.on_step`` calls ``_on_step``:

=====================  ==========================  ===========================================
public (do not override)  hook (override)          when the harness calls it
=====================  ==========================  ===========================================
``sample_task()``      ``_sample_task()``          at the reset of every training episode
``update(...)``        ``_update(...)``            once per finished training episode
``on_rollout_end(r)``  ``_on_rollout_end(r)``      after each on-policy rollout, only for
                                                   teachers with ``needs_rollouts = True``
=====================  ==========================  ===========================================

Only ``_sample_task`` is required; a random teacher is a few lines. A teacher owns its
``np.random.Generator`` (``self.rng``) and must draw all its randomness from it, so that the same
seed gives the same tasks and :meth:`Teacher.state_dict` captures everything.
"""

from __future__ import annotations

import copy
import math
import numbers
import reprlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.errors import InvalidReturnError
from aclbench.task_space import Task, TaskSpace


@dataclass(frozen=True)
class Rollout:
    """What an on-policy student saw in one rollout of ``n_steps`` x ``n_envs`` transitions.

    Given to teachers that score tasks by more than returns (PLR needs GAE and value
    predictions; SPDL needs the value of initial states). Row ``t``, column ``e`` is the
    ``t``-th step of env ``e``; ``episode_starts[t, e]`` is true when that step is the first of
    an episode, so episodes (and the partial ones at the edges) can be cut out per env.

    Attributes:
        tasks: ``n_steps`` x ``n_envs`` x ``n_dims``, the task each step was played on.
        rewards: ``n_steps`` x ``n_envs``.
        values: ``n_steps`` x ``n_envs``, the student's value prediction V(s_t).
        advantages: ``n_steps`` x ``n_envs``, generalized advantage estimates.
        returns: ``n_steps`` x ``n_envs``, value targets (advantages + values).
        episode_starts: ``n_steps`` x ``n_envs`` booleans.
        entropies: ``n_steps`` x ``n_envs``, the entropy of the student's action distribution
            at each step (PLR's policy-entropy score); ``None`` if the student gives none.
        action_probs: ``n_steps`` x ``n_envs`` x ``n_actions``, the student's probability of
            each action at each step, for discrete actions only (PLR's least-confidence and
            min-margin scores); ``None`` if the student gives none.
    """

    tasks: NDArray[np.float64]
    rewards: NDArray[np.float64]
    values: NDArray[np.float64]
    advantages: NDArray[np.float64]
    returns: NDArray[np.float64]
    episode_starts: NDArray[np.bool_]
    entropies: NDArray[np.float64] | None = None
    action_probs: NDArray[np.float64] | None = None


class Teacher(ABC):
    """Base class of all teachers.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's own generator; ``0`` is a valid seed, ``None`` draws one.

    Attributes:
        needs_rollouts: set to ``True`` (in a subclass, or per instance) to receive
            :class:`Rollout` batches.
        needs_policy_outputs: set to ``True`` where those batches must carry
            :attr:`Rollout.entropies` and :attr:`Rollout.action_probs`; students compute them
            (an extra forward pass over each rollout) only then.
        episodes: number of feedback episodes received so far.
        resolved_params: the constructor parameters as the teacher runs with them, noted by
            the checks of :mod:`teachers.params` (a preset's values, defaults computed from
            other parameters); the run writes them, with the rest, to ``teacher_params.json``.
    """

    needs_rollouts: bool = False
    needs_policy_outputs: bool = False
    resolved_params: dict[str, Any]

    def __new__(cls, *args: Any, **kwargs: Any) -> Teacher:
        teacher = super().__new__(cls)
        teacher.resolved_params = {}  # before any __init__ runs a check
        return teacher

    def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
        self.task_space = task_space
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.episodes = 0

    # --- sampling ----------------------------------------------------------------------------
    def sample_task(self) -> Task:
        """The next training task, always inside ``task_space``."""
        return self.task_space.validate(self._sample_task())

    @abstractmethod
    def _sample_task(self) -> ArrayLike:
        """Propose a task (shape ``(n_dims,)``); draw randomness from ``self.rng`` only."""

    # --- feedback ----------------------------------------------------------------------------
    def update(
        self,
        task: ArrayLike,
        episode_return: float,
        *,
        success: bool | None = None,
        info: Mapping[str, Any] | None = None,
    ) -> None:
        """Feedback for one finished training episode played on ``task``.

        ``task`` need not be one this teacher proposed (a replayed or hand-picked task is
        fine) but must lie in the space. A NaN or infinite return raises
        :class:`~aclbench.errors.InvalidReturnError`, as does a return that is not one real
        number (None, a string, a vector): it means a broken student or env, and silently
        learning from it would corrupt the curriculum.
        """
        task = self.task_space.validate(task)
        episode_return = _finite_return(episode_return, self.task_space.to_dict(task))
        self._update(task, episode_return, success, info or {})
        self.episodes += 1

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        """Learn from one episode; the default ignores feedback."""

    def on_rollout_end(self, rollout: Rollout) -> None:
        """Per-step signals of one on-policy rollout (only if ``needs_rollouts``)."""
        self._on_rollout_end(rollout)

    def _on_rollout_end(self, rollout: Rollout) -> None:
        """Learn from a rollout; the default ignores it."""

    # --- introspection and persistence -------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """JSON-serializable view of the teacher's inner state for the report (GMM means,
        regions...). Written to the run's teacher log; the default has nothing to show."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly where this teacher is, generator included.

        The default deep-copies every attribute but the task space, so a subclass that keeps
        its state in attributes needs nothing more. Saved with pickle by the harness.
        """
        return copy.deepcopy({k: v for k, v in vars(self).items() if k != "task_space"})

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned; the next tasks are then identical."""
        vars(self).update(copy.deepcopy(dict(state)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.task_space!r}, seed={self.seed})"


def _finite_return(episode_return: object, task: Mapping[str, float]) -> float:
    """``episode_return`` as a finite float, or an :class:`InvalidReturnError` saying why not."""
    if isinstance(episode_return, np.ndarray) and episode_return.ndim == 0:
        episode_return = episode_return.item()
    if not isinstance(episode_return, numbers.Real):
        raise InvalidReturnError(
            f"episode return for task {task} must be one real number, got "
            f"{type(episode_return).__name__} {reprlib.repr(episode_return)}"
        )
    value = float(episode_return)
    if not math.isfinite(value):
        raise InvalidReturnError(
            f"episode return {value!r} for task {task} is not finite; a teacher accepts finite "
            "returns only (check the env's rewards)"
        )
    return value
