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
                                                   teachers that declare ``rollouts``
``on_evaluation(...)`` ``_on_evaluation(...)``     after each evaluation on the test set, only
                                                   for teachers that declare ``evaluations``
``on_initial_values``  ``_on_initial_values``      as episodes start, only for teachers that
                                                   declare ``initial_values``
=====================  ==========================  ===========================================

Only ``_sample_task`` is required; a random teacher is a few lines. A teacher owns its
``np.random.Generator`` (``self.rng``) and must draw all its randomness from it, so that the same
seed gives the same tasks and :meth:`Teacher.state_dict` captures everything.

A teacher that asks more of the student's training loop declares it in
:attr:`Teacher.capabilities` (:class:`Capabilities`) and implements the method each declared
capability calls: ``_on_rollout_end`` for ``rollouts``, ``_on_evaluation`` for
``evaluations``, ``_on_initial_values`` for ``initial_values``, :meth:`Teacher.begin_rollout`
for ``rollout_mode``, :meth:`Teacher.end_round` for ``adversarial``. Students and the harness
read the declaration only: a method of the same name on a teacher that does not declare the
capability is never called, and a declared
capability without its method is refused when the class is defined.

A teacher told about the env by an expert (TeachMyAgent's levels, :mod:`aclbench.
expert_knowledge`) declares the least level it runs with, :attr:`Teacher.
expert_knowledge_needed` (a run below it is refused at suite check), and the most it makes use
of, :attr:`Teacher.expert_knowledge_used`; one that uses any takes the keyword argument
``expert_knowledge`` (an :class:`~aclbench.expert_knowledge.ExpertKnowledge`, cut to the lower
of the run's level and the one it uses, or ``None`` when built outside a run), checked when the
class is defined.
"""

from __future__ import annotations

import copy
import math
import numbers
import os
import reprlib
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.errors import ConfigError, InvalidReturnError, TeacherCopyWarning
from aclbench.expert_knowledge import LEVELS, rank
from aclbench.registry import accepted_parameters
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


@dataclass(frozen=True)
class Capabilities:
    """What a teacher asks of the student's training loop beyond ``sample_task`` and ``update``.

    Declared as the class attribute :attr:`Teacher.capabilities` (or set per instance in
    ``__init__`` where it depends on the teacher's parameters). Each capability names the
    method the student then calls; the student calls no such method on a teacher that does not
    declare its capability.

    Attributes:
        rollouts: the teacher receives every on-policy rollout as a :class:`Rollout` through
            ``on_rollout_end`` (implement ``_on_rollout_end``); only on-policy students can
            train with it.
        policy_outputs: those rollouts also carry :attr:`Rollout.entropies` and
            :attr:`Rollout.action_probs`, which cost the student an extra forward pass over
            each rollout; requires ``rollouts``.
        evaluations: the teacher receives the student's returns on the run's fixed test set
            after every evaluation through ``on_evaluation`` (implement ``_on_evaluation``):
            the harness calls it, for any student, after it records the evaluation (AGAIN
            matches a new student to earlier ones by these returns).
        rollout_mode: the teacher decides per rollout whether the student replays levels or
            plays new ones (PLR, Robust PLR, ACCEL): the student calls
            :meth:`Teacher.begin_rollout` before every rollout, plays a rollout of one kind
            only, and takes no gradient step on a rollout of new levels unless
            :attr:`Teacher.train_on_new_levels`.
        adversarial: the teacher builds levels adversarially for two students (PAIRED's
            adversary): the student plays rounds with a second model, the antagonist, on the
            levels the teacher builds, reports each episode with ``info["agent"]`` and calls
            :meth:`Teacher.end_round` after each round. The student drives those rollouts
            itself, so this excludes ``rollouts`` and ``rollout_mode``.
        initial_values: the student tells the teacher its value estimate V(s0) of the first
            state of the episodes it plays (SPDL), through ``on_initial_values`` (implement
            ``_on_initial_values``): on-policy students the value predictions of their rollouts
            at episode starts, off-policy ones their critic at the initial observation (a
            forward pass made only for such teachers), simulated students their expected return
            of the task. Any student can; a loop without a critic gives nothing.
    """

    rollouts: bool = False
    policy_outputs: bool = False
    evaluations: bool = False
    rollout_mode: bool = False
    adversarial: bool = False
    initial_values: bool = False

    def __post_init__(self) -> None:
        if self.policy_outputs and not self.rollouts:
            raise ValueError("Capabilities: policy_outputs=True requires rollouts=True")
        if self.adversarial and (self.rollouts or self.rollout_mode):
            raise ValueError(
                "Capabilities: adversarial=True excludes rollouts and rollout_mode (the "
                "student plays PAIRED rounds, which send no rollouts)"
            )


_NOT_STATE = frozenset({"task_space", "_home_pid"})
"""Attributes the default :meth:`Teacher.state_dict` leaves out: not learned state."""

_METHODS = {
    "rollouts": "_on_rollout_end",
    "evaluations": "_on_evaluation",
    "rollout_mode": "begin_rollout",
    "adversarial": "end_round",
    "initial_values": "_on_initial_values",
}
"""The method a teacher that declares each capability must implement (override)."""


def check_capabilities(teacher: Teacher | type[Teacher]) -> Capabilities:
    """The capabilities ``teacher`` (an instance or a class) declares, after checking that its
    class implements the method of each; raises TypeError naming what is missing otherwise.

    Run when a teacher class is defined (on its class attribute) and by students and
    ``check_teacher`` on an instance, whose ``capabilities`` may differ from its class's.
    """
    capabilities = teacher.capabilities
    cls = teacher if isinstance(teacher, type) else type(teacher)
    if not isinstance(capabilities, Capabilities):
        raise TypeError(
            f"{cls.__name__}.capabilities must be a Capabilities, got "
            f"{type(capabilities).__name__} {reprlib.repr(capabilities)}"
        )
    missing = [
        f"{name} needs {method}()"
        for name, method in _METHODS.items()
        if getattr(capabilities, name) and getattr(cls, method) is getattr(Teacher, method)
    ]
    if missing:
        raise TypeError(
            f"{cls.__name__} declares capabilities it does not implement: {'; '.join(missing)}"
        )
    return capabilities


class Teacher(ABC):
    """Base class of all teachers.

    Args:
        task_space: the space tasks are proposed from.
        seed: seed of the teacher's own generator; ``0`` is a valid seed, ``None`` draws one.

    Attributes:
        capabilities: what the teacher asks of the student's training loop beyond tasks and
            returns (:class:`Capabilities`); none by default.
        expert_knowledge_needed: the least expert knowledge (``"none"``, ``"low"``, ``"high"``)
            the teacher runs with; a run with less is refused before it starts.
        expert_knowledge_used: the most expert knowledge the teacher makes use of (at least
            :attr:`expert_knowledge_needed`); above ``"none"``, its constructor takes
            ``expert_knowledge``.
        train_on_new_levels: for a teacher with ``rollout_mode``, whether the student takes
            a gradient step on rollouts of new levels (false: on replays only, as Robust PLR).
        episodes: number of feedback episodes received so far.
        resolved_params: the constructor parameters as the teacher runs with them, noted by
            the checks of :mod:`teachers.params` (a preset's values, defaults computed from
            other parameters); the run writes them, with the rest, to ``teacher_params.json``.
    """

    capabilities: Capabilities = Capabilities()
    train_on_new_levels: ClassVar[bool] = True
    expert_knowledge_needed: ClassVar[str] = "none"
    expert_knowledge_used: ClassVar[str] = "none"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        stale = sorted({"needs_rollouts", "needs_policy_outputs"} & set(vars(cls)))
        if stale:
            raise TypeError(
                f"{cls.__name__} sets {', '.join(stale)}, which students no longer read; "
                "declare capabilities = Capabilities(rollouts=True, policy_outputs=...) instead"
            )
        check_capabilities(cls)
        check_expert_knowledge_declaration(cls)

    resolved_params: dict[str, Any]
    _home_pid: int

    def __new__(cls, *args: Any, **kwargs: Any) -> Teacher:
        teacher = super().__new__(cls)
        teacher.resolved_params = {}  # before any __init__ runs a check
        teacher._home_pid = os.getpid()
        return teacher

    def _check_process(self) -> None:
        """Warn (once per copy) when this teacher is used outside the process it was built in.

        A teacher is state in one process. A copy that reaches a worker, by ``fork`` (which
        copies memory) or by pickling (``spawn``, ``forkserver``), learns from that worker's
        episodes only, while the original trains no curriculum: the mistake of an env wrapper
        that calls the teacher itself inside ``SubprocVecEnv`` or ``AsyncVectorEnv``. The process
        id is kept through both copies (pickling keeps the attribute) but not by
        :meth:`state_dict`, so a teacher built in a worker (the harness's executors) or restored
        from a checkpoint there is at home. The copy then adopts its process, with the teachers
        it holds (AGAIN's ALP-GMM): one warning per copy.
        """
        pid = os.getpid()
        if pid != self._home_pid:
            warnings.warn(
                f"{type(self).__name__} built in process {self._home_pid} is used in process "
                f"{pid}: a copy (fork or pickle, e.g. in SubprocVecEnv or AsyncVectorEnv "
                "workers) whose feedback the original teacher never gets. Keep the teacher in "
                "the main process: curriculum = aclbench.Curriculum(teacher, n_envs) and build "
                "the envs from curriculum.env_fns(...)",
                TeacherCopyWarning,
                stacklevel=3,
            )
            _adopt(self, pid)

    def __init__(self, task_space: TaskSpace, *, seed: int | None = None) -> None:
        self.task_space = task_space
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.episodes = 0

    # --- sampling ----------------------------------------------------------------------------
    def sample_task(self) -> Task:
        """The next training task, always inside ``task_space``."""
        self._check_process()
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
        self._check_process()
        task = self.task_space.validate(task)
        episode_return = _finite_return(episode_return, self.task_space, task)
        self._update(task, episode_return, success, info or {})
        self.episodes += 1

    def _update(
        self, task: Task, episode_return: float, success: bool | None, info: Mapping[str, Any]
    ) -> None:
        """Learn from one episode; the default ignores feedback."""

    def on_rollout_end(self, rollout: Rollout) -> None:
        """Per-step signals of one on-policy rollout (only with ``capabilities.rollouts``)."""
        self._on_rollout_end(rollout)

    def _on_rollout_end(self, rollout: Rollout) -> None:
        """Learn from a rollout; the default ignores it."""

    def on_evaluation(self, test_tasks: ArrayLike, returns: ArrayLike) -> None:
        """The student's return on each test task of one evaluation (only with
        ``capabilities.evaluations``): ``test_tasks`` is ``n_tests`` x ``n_dims``, the run's
        fixed test set, in the same order at every evaluation; ``returns`` is ``n_tests``.

        A test task outside the space raises :class:`~aclbench.errors.InvalidTaskError`, and
        returns that are not finite, or not one per task,
        :class:`~aclbench.errors.InvalidReturnError`, before the teacher sees any of them.
        """
        tasks = np.array([self.task_space.validate(task) for task in np.asarray(test_tasks)])
        values = np.asarray(returns)
        if values.shape != (len(tasks),):
            raise InvalidReturnError(
                f"evaluation returns must be one per test task ({len(tasks)}), got shape "
                f"{values.shape}"
            )
        checked = [_finite_return(v, self.task_space, t) for v, t in zip(values, tasks)]
        self._on_evaluation(tasks, np.array(checked, dtype=np.float64))

    def _on_evaluation(self, test_tasks: NDArray[np.float64], returns: NDArray[np.float64]) -> None:
        """Learn from one evaluation; the default ignores it."""

    def on_initial_values(self, tasks: ArrayLike, values: ArrayLike) -> None:
        """The student's value of the first state of episodes it starts (only with
        ``capabilities.initial_values``): ``n`` x ``n_dims`` tasks and ``n`` values, finite."""
        tasks = np.array([self.task_space.validate(t) for t in np.asarray(tasks, np.float64)])
        values = np.asarray(values, dtype=np.float64).reshape(-1)
        if len(values) != len(tasks) or not np.isfinite(values).all():
            raise InvalidReturnError(
                f"initial values must be {len(tasks)} finite numbers, one per task; got "
                f"{reprlib.repr(values.tolist())}"
            )
        self._on_initial_values(tasks.reshape(len(values), len(self.task_space)), values)

    def _on_initial_values(self, tasks: NDArray[np.float64], values: NDArray[np.float64]) -> None:
        """Learn from initial-state values; the default ignores them."""

    # --- control of the student's training loop (declared capabilities only) -----------------
    def begin_rollout(self) -> bool:
        """With ``capabilities.rollout_mode``: decide whether the coming rollout replays levels
        (true) or plays new ones, for every task sampled until the next call."""
        raise NotImplementedError(f"{type(self).__name__} does not declare rollout_mode")

    def end_round(self) -> NDArray[np.float64]:
        """With ``capabilities.adversarial``: both students have played the round's levels;
        learn from their returns and give each level's regret."""
        raise NotImplementedError(f"{type(self).__name__} does not declare adversarial")

    # --- introspection and persistence -------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        """JSON-serializable view of the teacher's inner state for the report (GMM means,
        regions...). Written to the run's teacher log; the default has nothing to show."""
        return {}

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue exactly where this teacher is, generator included.

        The default deep-copies every attribute but the task space and the process the
        teacher lives in, so a subclass that keeps its state in attributes needs nothing more.
        Saved with pickle by the harness.
        """
        return copy.deepcopy({k: v for k, v in vars(self).items() if k not in _NOT_STATE})

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned; the next tasks are then identical."""
        kept = {k: v for k, v in state.items() if k != "_home_pid"}
        vars(self).update(copy.deepcopy(kept))
        _adopt(self, self._home_pid)  # teachers inside the state (AGAIN's ALP-GMM) live here

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.task_space!r}, seed={self.seed})"


def _adopt(teacher: Teacher, pid: int) -> None:
    """Make ``teacher`` and the teachers among its attributes at home in process ``pid``."""
    teacher._home_pid = pid
    for value in vars(teacher).values():
        if isinstance(value, Teacher) and value is not teacher:
            _adopt(value, pid)


def check_expert_knowledge_declaration(cls: type[Teacher]) -> None:
    """Raise TypeError where ``cls`` declares expert-knowledge levels that are not
    :data:`~aclbench.expert_knowledge.LEVELS`, needs more than it uses, or uses some without
    taking ``expert_knowledge`` in its constructor. Run when a teacher class is defined."""
    needed, used = cls.expert_knowledge_needed, cls.expert_knowledge_used
    for name, level in (("expert_knowledge_needed", needed), ("expert_knowledge_used", used)):
        if level not in LEVELS:
            raise TypeError(f"{cls.__name__}.{name} must be one of {LEVELS}, got {level!r}")
    if rank(needed) > rank(used):
        raise TypeError(
            f"{cls.__name__} needs expert knowledge {needed!r} but uses only {used!r}; set "
            f"expert_knowledge_used to {needed!r} or more"
        )
    accepted = accepted_parameters(cls)  # None: any keyword
    if used != "none" and accepted is not None and "expert_knowledge" not in accepted:
        raise TypeError(
            f"{cls.__name__} declares expert_knowledge_used = {used!r}: its constructor must "
            "take the keyword argument expert_knowledge"
        )


def check_expert_knowledge(cls: type[Teacher], level: str, name: str | None = None) -> None:
    """Raise one-line ConfigError where a run at ``level`` gives teacher ``cls`` (registered
    as ``name``) less expert knowledge than it needs."""
    needed = cls.expert_knowledge_needed
    if rank(level) < rank(needed):
        raise ConfigError(
            f"teacher {name or cls.__name__!r} needs expert_knowledge = {needed!r} or more "
            f"(TeachMyAgent's levels: none < low < high), got {level!r}"
        )


def _finite_return(episode_return: object, task_space: TaskSpace, task: Task) -> float:
    """``episode_return`` as a finite float, or an :class:`InvalidReturnError` saying why not
    (naming the task by its dimensions, which is worked out only then)."""
    if type(episode_return) is float and math.isfinite(episode_return):  # the common case
        return episode_return
    if isinstance(episode_return, np.ndarray) and episode_return.ndim == 0:
        episode_return = episode_return.item()
    if not isinstance(episode_return, numbers.Real):
        raise InvalidReturnError(
            f"episode return for task {task_space.to_dict(task)} must be one real number, got "
            f"{type(episode_return).__name__} {reprlib.repr(episode_return)}"
        )
    value = float(episode_return)
    if not math.isfinite(value):
        raise InvalidReturnError(
            f"episode return {value!r} for task {task_space.to_dict(task)} is not finite; a "
            "teacher accepts finite returns only (check the env's rewards)"
        )
    return value
