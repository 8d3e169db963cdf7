"""``accel``: Robust PLR whose replayed levels are edited into new ones.

Parker-Holder, Jiang, Dennis, Samvelyan, Foerster, Grefenstette and Rocktäschel (ICML 2022),
"Evolving Curricula with Regret-Based Environment Design". After a level is replayed (and
trained on), a copy of it is edited by ``n_edits`` small changes (``task_space.mutate``: wall
flips and goal moves for maze levels, small parameter steps on continuous spaces) and played
next as an exploratory level: no gradient step, but it is scored, and it enters the buffer if
its score (regret estimate) is high enough. Levels thus grow in complexity from what the
student can almost solve.

With ``begin_rollout``, edits get their own rollouts: while edited levels wait to be played,
the next rollout is an exploratory one that plays them (then fresh levels if they run out), as
the reference implementation follows each replay rollout by an edit rollout.

Defaults from the reference maze configuration of minimax (Jiang et al. 2023): MaxMC score,
rank prioritization with temperature 0.3, staleness coefficient 0.5, replay probability 0.8,
20 edits. The paper's mazes start from empty rooms: build the maze env with ``max_walls=0`` so
that new levels are empty and all structure comes from edits.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.params import check_int
from aclbench.teachers.plr import RobustPLRTeacher
from aclbench.teachers.registry import register_teacher


@register_teacher("accel")
class ACCELTeacher(RobustPLRTeacher):
    """Robust PLR plus edits of replayed levels.

    Args:
        n_edits: edits per child level (``task_space.mutate``'s ``n_edits``), >= 1.
        score, temperature, staleness_coef, replay_prob: as :class:`~teachers.plr.PLRTeacher`,
            with the defaults of the reference maze configuration (module docstring).
        kwargs: PLR's other parameters, :class:`~teachers.plr.PLRTeacher`.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        n_edits: int = 20,
        score: str = "max_mc",
        temperature: float = 0.3,
        staleness_coef: float = 0.5,
        replay_prob: float = 0.8,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            task_space,
            score=score,
            temperature=temperature,
            staleness_coef=staleness_coef,
            replay_prob=replay_prob,
            **kwargs,
        )
        self.n_edits = check_int(self, "n_edits", n_edits, 1)
        self.children: deque[Task] = deque()
        self.edited_levels = 0

    def _decide_replay(self) -> bool:
        return not self.children and super()._decide_replay()

    def _replayed(self, level: Task) -> Task:
        self.children.append(self.task_space.mutate(level, self.rng, self.n_edits))
        return level

    def _new_level(self) -> Task:
        if self.children:
            self.edited_levels += 1
            return self.children.popleft()
        return super()._new_level()

    def inner_state(self) -> dict[str, Any]:
        return {**super().inner_state(), "edited_levels": self.edited_levels}
