"""Expert knowledge: what a teacher is told about an env beyond its task space.

TeachMyAgent (Romac, Portelas, Hofmann and Oudeyer, ICML 2021) grades teachers by how much an
expert tells them, at three levels:

- ``"none"``: nothing; the teacher sees tasks and returns only;
- ``"low"``: the returns that mean mastery: the return above which a task is mastered (the
  success of GoalGAN and Setter-Solver), the range returns go from a failed to a mastered task
  over (the scale of GoalGAN's band of intermediate difficulty), and the mean returns below and
  above which ADR narrows and widens its box;
- ``"high"``: low, plus an initial distribution of easy tasks (a Gaussian in task units) that
  teachers can start from (ALP-GMM's and Covar-GMM's bootstrap, GoalGAN's pretraining, ADR's
  start, SPDL's initial Gaussian).

Each env defines its knowledge (``expert_knowledge()``, see :func:`aclbench.envs.core.
expert_knowledge_of`); a run's ``expert_knowledge`` key picks the level; a teacher declares the
level it needs and the level it can use (:attr:`~aclbench.teachers.base.Teacher.
expert_knowledge_needed` and ``expert_knowledge_used``), and gets the knowledge cut to the
lower of the run's level and what it uses.

How a teacher takes it (ADR and SPDL, for instance)::

    class Adr(Teacher):
        expert_knowledge_needed: ClassVar[str] = "low"  # refused at "none", before any run
        expert_knowledge_used: ClassVar[str] = "high"

        def __init__(self, task_space, *, seed=None, ..., expert_knowledge=None):
            knowledge = expert_knowledge or ExpertKnowledge()  # None: built outside a run
            low, high = knowledge.return_thresholds or (given thresholds)
            start = knowledge.initial.mean if knowledge.initial else (a random point)

SPDL's initial Gaussian is ``initial.mean`` and ``initial.std``. A parameter the user gives
explicitly should win over the knowledge (GoalGAN's ``return_bounds`` does), so a suite can
still set it; ``make_teacher`` passes ``expert_knowledge`` only to teachers that use some.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.errors import ConfigError
from aclbench.task_space import TaskSpace

LEVELS = ("none", "low", "high")
"""The levels of expert knowledge, from least to most."""


def check_level(value: Any, name: str = "expert_knowledge") -> str:
    """``value`` if it is one of :data:`LEVELS`, else one-line ConfigError naming ``name``."""
    if not (isinstance(value, str) and value in LEVELS):
        allowed = ", ".join(map(repr, LEVELS))
        raise ConfigError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def rank(level: str) -> int:
    """Position of ``level`` in :data:`LEVELS`: more knowledge, higher rank."""
    return LEVELS.index(check_level(level))


@dataclass(frozen=True)
class InitialGaussian:
    """A Gaussian of easy tasks, in task units, with a diagonal covariance.

    Attributes:
        mean: one value per dimension of the task space.
        std: one standard deviation (> 0) per dimension.
    """

    mean: tuple[float, ...]
    std: tuple[float, ...]

    def __post_init__(self) -> None:
        values = [*self.mean, *self.std]
        if len(self.mean) != len(self.std) or not all(math.isfinite(v) for v in values):
            raise ValueError(
                f"InitialGaussian: mean {self.mean} and std {self.std} must be "
                "finite and of equal length"
            )
        if any(s <= 0 for s in self.std):
            raise ValueError(f"InitialGaussian: std must be > 0, got {self.std}")

    @classmethod
    def around(
        cls, space: TaskSpace, easy: Mapping[str, float], std_fraction: float = 0.1
    ) -> InitialGaussian:
        """Centred on the task ``easy`` (``name -> value``, clipped into ``space``), with a
        standard deviation of ``std_fraction`` of each dimension's range (TeachMyAgent's 10%;
        a dimension of zero width gets a tiny one)."""
        mean = space.clip(space.from_dict(easy))
        width = np.maximum(space.high - space.low, 1e-6)
        return cls(tuple(mean.tolist()), tuple((std_fraction * width).tolist()))

    def sample(self, space: TaskSpace, rng: np.random.Generator, n: int) -> NDArray[np.float64]:
        """``n`` tasks drawn from the Gaussian and clipped into ``space`` (discrete entries
        rounded), ``n`` x ``n_dims``."""
        if len(self.mean) != len(space):
            raise ConfigError(
                f"the initial distribution has {len(self.mean)} dimensions, the task space "
                f"{len(space)} ({space!r})"
            )
        draws = rng.normal(self.mean, self.std, size=(n, len(space)))
        return np.asarray(space.clip(draws), dtype=np.float64)


@dataclass(frozen=True)
class ExpertKnowledge:
    """What an expert tells a teacher about one env, at one level (:data:`LEVELS`).

    At ``"none"`` every field is ``None``; at ``"low"`` the three return fields are set; at
    ``"high"`` ``initial`` too, where the env defines one.

    Attributes:
        level: ``"none"``, ``"low"`` or ``"high"``.
        mastery_threshold: a return above it means the task is mastered (TeachMyAgent's
            success on Stump Tracks: 230).
        return_range: ``(failed, mastered)``: the returns of a task not learned at all and of a
            task fully mastered, the scale on which GoalGAN reads its band of intermediate
            difficulty (a score of 0.25 is a quarter of the way).
        return_thresholds: ``(low, high)``: a mean return at or below ``low`` means the tasks
            are too hard, at or above ``high`` that they are learned enough to move on (ADR's
            thresholds; TeachMyAgent's on Stump Tracks: 0 and 180).
        initial: a Gaussian of easy tasks; ``None`` below ``"high"`` or where the env
            defines none (a maze level is no point of a Gaussian).
    """

    level: str = "none"
    mastery_threshold: float | None = None
    return_range: tuple[float, float] | None = None
    return_thresholds: tuple[float, float] | None = None
    initial: InitialGaussian | None = None

    def __post_init__(self) -> None:
        check_level(self.level, "ExpertKnowledge.level")
        for name in ("return_range", "return_thresholds"):
            pair = getattr(self, name)
            if pair is not None and not (len(pair) == 2 and pair[0] < pair[1]):
                raise ValueError(
                    f"ExpertKnowledge.{name} must be (low, high), low < high; got {pair}"
                )

    def at(self, level: str) -> ExpertKnowledge:
        """This knowledge cut down to ``level`` (never raised above :attr:`level`)."""
        level = LEVELS[min(rank(level), rank(self.level))]
        if level == "none":
            return ExpertKnowledge()
        if level == "low":
            return replace(self, level="low", initial=None)
        return self

    @classmethod
    def from_mastery(
        cls,
        mastery_threshold: float,
        return_range: Sequence[float],
        return_thresholds: Sequence[float] | None = None,
        initial: InitialGaussian | None = None,
    ) -> ExpertKnowledge:
        """An env's whole knowledge (level ``"high"``); ``return_thresholds`` defaults to
        ``(return_range[0], mastery_threshold)``: narrow where nothing is learned, widen at
        mastery."""
        low, high = float(return_range[0]), float(return_range[1])
        thresholds = (
            (low, float(mastery_threshold))
            if return_thresholds is None
            else (float(return_thresholds[0]), float(return_thresholds[1]))
        )
        return cls("high", float(mastery_threshold), (low, high), thresholds, initial)
