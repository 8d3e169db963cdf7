"""The aclbench env protocol, and the registry of envs by short name.

An aclbench env is a Gymnasium env that additionally has

- ``task_space``: a :class:`~aclbench.task_space.TaskSpace`;
- ``task``: the task of the current episode, set at ``reset(options={"task": task})``, or drawn
  from the env's seeded ``np_random`` when no task is given;
- ``mastered_threshold``: an episode return strictly above it means the task is solved;
- ``test_tasks()``: the fixed held-out test set, ``n_tasks`` x ``n_dims``, the same on every
  call (it is saved with the results);
- optionally ``expert_knowledge()``: what an expert tells a teacher about the env
  (:class:`~aclbench.expert_knowledge.ExpertKnowledge`: mastery, return range and thresholds,
  an initial distribution of easy tasks); :func:`expert_knowledge_of` reads it.

The task changes the generated world (stump heights, pole length, maze walls), never the
observation or action spaces, so one policy can be trained across the whole task space.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast, runtime_checkable

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvCreator
from numpy.typing import NDArray

from aclbench.errors import ConfigError
from aclbench.expert_knowledge import ExpertKnowledge
from aclbench.registry import Registry
from aclbench.task_space import Task, TaskSpace


@runtime_checkable
class TaskEnv(Protocol):
    """What an env must have, beyond ``gymnasium.Env``, to be trained on with a teacher.

    ``task_space`` and ``mastered_threshold`` are read-only here, so that an env may narrow the
    space's type (the maze's ``MazeTaskSpace``) or compute the threshold (a property).
    """

    task: Task

    @property
    def task_space(self) -> TaskSpace: ...

    @property
    def mastered_threshold(self) -> float: ...

    def test_tasks(self) -> NDArray[np.float64]: ...


def task_from_options(env: TaskEnv, options: Mapping[str, Any] | None) -> Task:
    """The task an env's ``reset`` should apply: ``options["task"]`` if given (validated, as an
    array or a ``name -> value`` mapping), else a uniform one from the env's ``np_random``.

    Always an array of the env's own: never the caller's, whose later writes must not reach it.
    """
    task = None if options is None else options.get("task")
    if task is None:
        return env.task_space.sample(env.np_random)  # type: ignore[attr-defined]
    validated = env.task_space.validate(task)
    return validated.copy() if validated is task else validated


@dataclass(frozen=True)
class EnvEntry:
    """A registered aclbench env: its short CLI name and its Gymnasium id.

    ``min_eval_interval`` is, for an env whose test set is long to play, the fewest env steps
    between evaluations that a run uses by default (0: no floor; see ``register_env``).
    """

    name: str
    gym_id: str
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    min_eval_interval: int = 0

    def make(self, **kwargs: Any) -> gym.Env:
        """``gymnasium.make`` with the registered defaults, overridden by ``kwargs``."""
        return gym.make(self.gym_id, **{**self.kwargs, **kwargs})


PLUGIN_NAMESPACE = "aclbench-plugins"
"""Gymnasium namespace of the envs that plug-ins name by class (``aclbench-plugins/NAME``)."""


def _plugin_entry(name: str, obj: Any) -> EnvEntry:
    """What an ``aclbench.envs`` entry point (or an ``--env module:attribute`` name) imports,
    as a registered env: either an :class:`EnvEntry` that the plug-in module registered with
    :func:`register_env` on import, or an env class, registered with Gymnasium here as
    ``aclbench-plugins/NAME`` and described by the first line of its docstring."""
    if isinstance(obj, EnvEntry):
        if obj.gym_id not in gym.registry:
            raise ConfigError(
                f"env {name!r}: its EnvEntry names Gymnasium id {obj.gym_id!r}, which is not "
                "registered; make it with aclbench.envs.register_env"
            )
        return obj
    if not (isinstance(obj, type) and issubclass(obj, gym.Env) and hasattr(obj, "test_tasks")):
        raise ConfigError(
            f"env {name!r} is {obj!r}: name a gymnasium.Env subclass following the aclbench "
            "env protocol (task_space, task, mastered_threshold, test_tasks()), or an EnvEntry "
            "made by aclbench.envs.register_env"
        )
    gym_id = f"{PLUGIN_NAMESPACE}/{name.replace(':', '.')}"
    gym.register(id=gym_id, entry_point=cast(EnvCreator, obj))
    doc = (obj.__doc__ or "").strip().splitlines()
    return EnvEntry(name, gym_id, doc[0] if doc else obj.__qualname__)


ENVS: Registry[EnvEntry] = Registry("env", "aclbench.envs", adapt=_plugin_entry)
"""Envs by short name: aclbench's own, and those of installed plug-ins, whose entry points
(group ``aclbench.envs``) name an env class or an ``EnvEntry`` (see ``_plugin_entry``)."""


def register_env(
    name: str,
    gym_id: str,
    entry_point: str,
    description: str,
    *,
    max_episode_steps: int | None = None,
    min_eval_interval: int = 0,
    **kwargs: Any,
) -> None:
    """Register with Gymnasium (``gym_id`` in the ``aclbench/`` namespace) and by short name.

    ``min_eval_interval`` lets an env whose evaluation is costly (long test episodes) keep a
    run's default evaluations that far apart at least; a run's own ``eval_interval`` wins.
    ``kwargs`` are the constructor's defaults (also under the Gymnasium id).
    """
    gym.register(
        id=gym_id, entry_point=entry_point, max_episode_steps=max_episode_steps, kwargs=kwargs
    )
    ENVS.add(name, EnvEntry(name, gym_id, description, kwargs, min_eval_interval))


def make_env(name: str, **kwargs: Any) -> gym.Env:
    """Make the env registered under the short ``name`` (``"cartpole"``)."""
    return ENVS.get(name).make(**kwargs)


def task_env(env: gym.Env) -> TaskEnv:
    """The innermost env, checked to follow the :class:`TaskEnv` protocol."""
    inner = env.unwrapped
    if not isinstance(inner, TaskEnv):
        raise TypeError(
            f"{type(inner).__name__} is not an aclbench env: it needs task_space, task, "
            "mastered_threshold and test_tasks()"
        )
    return inner


def expert_knowledge_of(env: TaskEnv) -> ExpertKnowledge:
    """The whole expert knowledge of ``env`` (a :class:`TaskEnv`, e.g. from :func:`task_env`).

    An env defines it with an ``expert_knowledge()`` method (every built-in env does, for the
    task space it was built with). One that does not (a plug-in's) tells its mastery threshold
    only: no return range, thresholds nor initial distribution, so teachers that need those
    refuse it and ``expert_knowledge = "high"`` is refused on it.
    """
    define = getattr(env, "expert_knowledge", None)
    if define is None:
        return ExpertKnowledge("low", mastery_threshold=float(env.mastered_threshold))
    knowledge = define()
    if not isinstance(knowledge, ExpertKnowledge):
        raise TypeError(
            f"{type(env).__name__}.expert_knowledge() must return an ExpertKnowledge, got "
            f"{type(knowledge).__name__}"
        )
    return knowledge
