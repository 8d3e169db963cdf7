"""``minigrid-sequence``: MiniGrid tasks that form a curriculum, as one env whose task is an index.

The task graphs are those of Willems, Lahlou and Bengio (2020), "Mastering Rate based
Curriculum Learning", on Farama's MiniGrid envs:

- ``unlock`` (default): Unlock -> UnlockPickup -> BlockedUnlockPickup;
- ``key-corridor``: KeyCorridor S3R1 -> S3R2 -> S3R3 -> S4R3 -> S5R3 -> S6R3;
- ``obstructed-maze``: ObstructedMaze 1Dl -> {1Dlh, 2Dl} -> ... -> 1Q -> 2Q -> Full (a DAG;
  the fixed ``-v1`` versions where MiniGrid deprecates ``-v0``).

Every task is one of MiniGrid's own envs, built once; ``reset(options={"task": i})`` resets the
i-th, which draws its layout from this env's generator (shared, not reseeded: seeding a
generator would cost a good share of a MiniGrid reset), so the same seed and task give the same
episode. The observation is MiniGrid's partial egocentric view, the ``7 x 7 x 3`` ``uint8``
image (object, colour, state per cell, as ``ImgObsWrapper`` returns it) and the action space
MiniGrid's 7 actions, the same for all tasks; the mission text goes to ``info``. A task is
mastered above a return of 0.5 (the paper's "max" return for every one of these tasks; MiniGrid
pays ``1 - 0.9 * steps / max_steps`` on success). ``graph`` and ``task_names`` give the
curriculum to teachers that read one (``mastering-rate``).

Evaluation is costly here: one test episode per task, but an unsolved one runs to MiniGrid's
step limit (288 to 576 steps for ``unlock``, up to 1080 for ``key-corridor`` and 3600 for
``obstructed-maze``): one evaluation of an untrained PPO costs as much time as hundreds of PPO
training steps on ``unlock`` and thousands on ``obstructed-maze``. So the env is registered
with ``min_eval_interval`` 25k env steps, which keeps ``unlock``'s evaluations a small share of
the training time in short runs; runs on the longer curricula should set ``eval_interval`` to
100k or more. Figures in ``results/perf/2026-12-04-envs-docstring-figures.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import minigrid  # noqa: F401  (registers the MiniGrid-* ids)
import numpy as np
from gymnasium import spaces
from numpy.typing import NDArray

from aclbench.envs.core import task_from_options
from aclbench.errors import ConfigError
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.registry import Registry
from aclbench.task_graph import TaskGraph
from aclbench.task_space import Task, TaskSpace

VIEW = (7, 7, 3)
N_ACTIONS = 7


@dataclass(frozen=True)
class Curriculum:
    """Tasks as ``(name, MiniGrid id)`` in index order, and edges ``(before, after)`` by name."""

    tasks: tuple[tuple[str, str], ...]
    edges: tuple[tuple[str, str], ...]
    mastered_threshold: float = 0.5


CURRICULA: Registry[Curriculum] = Registry("minigrid curriculum")
_KEY_CORRIDOR = ("S3R1", "S3R2", "S3R3", "S4R3", "S5R3", "S6R3")
_MAZE = {
    "1Dl": 0,
    "1Dlh": 0,
    "1Dlhb": 0,
    "2Dl": 0,
    "2Dlh": 0,
    "2Dlhb": 1,
    "1Q": 1,
    "2Q": 1,
    "Full": 1,
}
CURRICULA.add(
    "unlock",
    Curriculum(
        tasks=tuple(
            (n, f"MiniGrid-{n}-v0") for n in ("Unlock", "UnlockPickup", "BlockedUnlockPickup")
        ),
        edges=(("Unlock", "UnlockPickup"), ("UnlockPickup", "BlockedUnlockPickup")),
    ),
)
CURRICULA.add(
    "key-corridor",
    Curriculum(
        tasks=tuple((s, f"MiniGrid-KeyCorridor{s}-v0") for s in _KEY_CORRIDOR),
        edges=tuple(zip(_KEY_CORRIDOR, _KEY_CORRIDOR[1:], strict=False)),
    ),
)
CURRICULA.add(
    "obstructed-maze",
    Curriculum(
        tasks=tuple((s, f"MiniGrid-ObstructedMaze-{s}-v{v}") for s, v in _MAZE.items()),
        edges=(
            ("1Dl", "1Dlh"),
            ("1Dl", "2Dl"),
            ("1Dlh", "1Dlhb"),
            ("1Dlh", "2Dlh"),
            ("2Dl", "2Dlh"),
            ("1Dlhb", "2Dlhb"),
            ("2Dlh", "2Dlhb"),
            ("2Dlhb", "1Q"),
            ("1Q", "2Q"),
            ("2Q", "Full"),
        ),
    ),
)


class MiniGridSequenceEnv(gym.Env[NDArray[np.uint8], np.int64]):
    """A sequence of MiniGrid envs; the task ``{"task": i}`` picks the i-th at reset.

    Args:
        curriculum: ``unlock``, ``key-corridor`` or ``obstructed-maze``.
        max_steps: episode step limit for every task; ``None`` keeps MiniGrid's own limits.
        render_mode: passed to the MiniGrid envs (``"rgb_array"`` or ``None``).
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        curriculum: str = "unlock",
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        spec = CURRICULA.get(curriculum)
        if max_steps is not None and (not isinstance(max_steps, int) or max_steps < 1):
            raise ConfigError(
                f"minigrid-sequence: max_steps must be an int >= 1, got {max_steps!r}"
            )
        limit: dict[str, Any] = {} if max_steps is None else {"max_steps": max_steps}
        self.curriculum = curriculum
        self.task_names = [name for name, _ in spec.tasks]
        self.envs = [
            gym.make(env_id, render_mode=render_mode, **limit).unwrapped for _, env_id in spec.tasks
        ]
        predecessors: dict[int | str, list[int | str]] = {}
        for before, after in spec.edges:
            predecessors.setdefault(after, []).append(before)
        self.graph = TaskGraph.build(predecessors, len(self.envs), self.task_names)
        self.mastered_thresholds = np.full(len(self.envs), spec.mastered_threshold)
        self.render_mode = render_mode
        self.task_space = TaskSpace({"task": len(self.envs)})
        self.observation_space = spaces.Box(0, 255, VIEW, np.uint8)
        self.action_space = spaces.Discrete(N_ACTIONS)
        self.task: Task = np.zeros(1)

    @property
    def mastered_threshold(self) -> float:
        """The current task's threshold (all are equal in the built-in curricula)."""
        return float(self.mastered_thresholds[int(self.task[0])])

    @property
    def current(self) -> gym.Env:
        """The MiniGrid env of the current task."""
        return self.envs[int(self.task[0])]

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: the curriculum's threshold (0.5 in the built-in ones); MiniGrid returns
        run from 0 (goal missed) to 1; ADR narrows at 0 and widens at mastery. Easy tasks:
        around the first task with no predecessor, 10% of the index range wide."""
        roots = [t for t in range(len(self.envs)) if not self.graph.predecessors[t]]
        easy = {"task": float(roots[0] if roots else 0)}
        return ExpertKnowledge.from_mastery(
            float(self.mastered_thresholds.min()),
            (0.0, 1.0),
            initial=InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return np.arange(len(self.envs), dtype=np.float64)[:, None]

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.uint8], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = task_from_options(self, options)
        env = self.current
        env.np_random = self.np_random  # its layout comes from our generator: no reseeding
        obs, info = env.reset()
        return obs["image"], {**info, "mission": obs["mission"], "task": self.task.copy()}

    def step(self, action: np.int64) -> tuple[NDArray[np.uint8], float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.current.step(action)
        info = {**info, "mission": obs["mission"], "task": self.task.copy()}
        return obs["image"], float(reward), terminated, truncated, info

    def render(self) -> NDArray[np.uint8] | None:
        frame = self.current.render()  # MiniGrid's: an RGB array, or None without render_mode
        return None if frame is None else np.asarray(frame)

    def close(self) -> None:
        for env in self.envs:
            env.close()
