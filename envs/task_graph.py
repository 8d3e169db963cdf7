"""``task-graph``: a simulated student for curricula over a finite set of tasks.

In the spirit of the ``toy`` bench of Portelas et al. (2019), but over a task graph as in
Willems, Lahlou and Bengio (2020), "Mastering Rate based Curriculum Learning": each task holds a
competence in [0, 1], starting at 0. Playing a task raises its competence by ``learning_rate``
only once all its predecessors in the graph are mastered (competence above
``mastered_threshold``); unlearnable tasks never improve. With ``forgetting`` on, every task not
played in an episode loses ``forget_rate``, so mastered tasks must be revisited.

An episode is one step; its reward is the task's competence after the step, plus Gaussian noise
of standard deviation ``noise``. The competences persist across resets, seeded ones included:
this env *is* the learner, as the toy is, so the same seeded reset followed by the same action
gives a different reward once the task has been learned in between. (Gymnasium's
step-determinism check passes because its seed draws a task that is not learnable yet.)
Thousands of episodes run in a second, which is what the task-set teachers' tests need.

By default there are 8 tasks; the last quarter of them (6, 7) are unlearnable and the others
form a chain ``0 -> 1 -> ... -> 5``. ``trivial`` tasks are mastered from the start and cannot
be forgotten (their return is 1): added to the default 8 tasks, with the default test set
(``test_kwargs = {}``), they make TeachMyAgent's "mostly trivial" task space, as added
``unlearnable`` tasks make its "mostly unfeasible" one (Romac et al., ICML 2021).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from numpy.typing import ArrayLike, NDArray

from aclbench.envs.core import task_from_options
from aclbench.errors import ConfigError
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_graph import GraphSpec, TaskGraph
from aclbench.task_space import Task, TaskSpace


class TaskGraphEnv(gym.Env[NDArray[np.float32], np.int64]):
    """Competences over a task graph; observation: the one-hot task index.

    Args:
        n_tasks: number of tasks; the task space is ``TaskSpace({"task": n_tasks})``.
        graph: ``task -> predecessors`` (see :mod:`aclbench.task_graph`); ``None`` chains the
            learnable tasks in index order.
        unlearnable: tasks whose competence never grows; ``None``: the last ``n_tasks // 4``.
        trivial: tasks mastered from the start, whatever is played or forgotten.
        learning_rate: competence gained per episode on a task whose predecessors are mastered.
        forgetting: whether tasks not played lose ``forget_rate`` per episode.
        forget_rate: competence lost per episode by each task not played, with ``forgetting``.
        noise: standard deviation of the Gaussian noise added to each reward.
        mastered_threshold: competence (and return) above which a task is mastered.
    """

    metadata = {"render_modes": []}

    def __init__(
        self,
        n_tasks: int = 8,
        graph: GraphSpec | TaskGraph | None = None,
        unlearnable: Sequence[int] | None = None,
        trivial: Sequence[int] = (),
        learning_rate: float = 0.02,
        forgetting: bool = False,
        forget_rate: float = 0.001,
        noise: float = 0.0,
        mastered_threshold: float = 0.75,
    ) -> None:
        if not isinstance(n_tasks, int) or n_tasks < 1:
            raise ConfigError(f"task-graph: n_tasks must be an int >= 1, got {n_tasks!r}")
        for name, value in (("learning_rate", learning_rate), ("forget_rate", forget_rate)):
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"task-graph: {name} must be in [0, 1], got {value!r}")
        if noise < 0 or not 0.0 < mastered_threshold < 1.0:
            raise ConfigError(
                f"task-graph: need noise >= 0 and 0 < mastered_threshold < 1, got noise={noise}, "
                f"mastered_threshold={mastered_threshold}"
            )
        if unlearnable is None:
            unlearnable = range(n_tasks - n_tasks // 4, n_tasks)
        bad = [t for t in unlearnable if not 0 <= t < n_tasks]
        if bad:
            raise ConfigError(f"task-graph: unlearnable tasks {bad} are not in 0..{n_tasks - 1}")
        self.unlearnable = np.zeros(n_tasks, dtype=bool)
        self.unlearnable[list(unlearnable)] = True
        bad = [t for t in trivial if not 0 <= t < n_tasks or self.unlearnable[t]]
        if bad:
            raise ConfigError(
                f"task-graph: trivial tasks {bad} are not in 0..{n_tasks - 1} or are unlearnable"
            )
        self.trivial = np.zeros(n_tasks, dtype=bool)
        self.trivial[list(trivial)] = True
        if graph is None:
            self.graph = TaskGraph.chain(np.flatnonzero(~self.unlearnable).tolist(), n_tasks)
        elif isinstance(graph, TaskGraph):
            if graph.n != n_tasks:
                raise ConfigError(
                    f"task-graph: the graph has {graph.n} tasks, n_tasks is {n_tasks}"
                )
            self.graph = graph
        else:
            self.graph = TaskGraph.build(graph, n_tasks)
        self.n_tasks = n_tasks
        self.task_names = [f"task{i}" for i in range(n_tasks)]
        self.learning_rate, self.forgetting, self.forget_rate = (
            learning_rate,
            forgetting,
            forget_rate,
        )
        self.noise, self.mastered_threshold = noise, mastered_threshold
        self.task_space = TaskSpace({"task": n_tasks})
        self.observation_space = spaces.Box(0.0, 1.0, (n_tasks,), np.float32)
        self.action_space = spaces.Discrete(1)
        self.competence = np.zeros(n_tasks)
        self.task: Task = np.zeros(1)

    def competence_of(self, task: ArrayLike) -> float:
        """The competence on ``task`` in [0, 1], without playing it (used for evaluation)."""
        index = int(np.asarray(task).reshape(-1)[0])
        return 1.0 if self.trivial[index] else float(self.competence[index])

    def mastered(self) -> NDArray[np.bool_]:
        """Which tasks are mastered now, ``n_tasks`` booleans."""
        return (self.competence > self.mastered_threshold) | self.trivial

    def can_learn(self, index: int) -> bool:
        """Whether playing task ``index`` now raises its competence."""
        preds = list(self.graph.predecessors[index])
        return not self.unlearnable[index] and bool(np.all(self.mastered()[preds]))

    def expert_knowledge(self) -> ExpertKnowledge:
        """Mastery: the env's competence threshold; returns (competences) run from 0 to 1; ADR
        narrows at 0 and widens at mastery. Easy tasks: around the first task with no
        predecessor (task 0 of the default chain), 10% of the index range wide."""
        roots = [t for t in range(self.n_tasks) if not self.graph.predecessors[t]]
        easy = {"task": float(roots[0] if roots else 0)}
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (0.0, 1.0),
            initial=InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        return np.arange(self.n_tasks, dtype=np.float64)[:, None]

    def _observation(self) -> NDArray[np.float32]:
        obs = np.zeros(self.n_tasks, dtype=np.float32)
        obs[int(self.task[0])] = 1.0
        return obs

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = task_from_options(self, options)
        return self._observation(), {"task": self.task.copy()}

    def step(
        self, action: np.int64
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        index = int(self.task[0])
        learns = self.can_learn(index)
        if self.forgetting:
            played = self.competence[index]
            self.competence = np.maximum(self.competence - self.forget_rate, 0.0)
            self.competence[index] = played
        if learns:
            self.competence[index] = min(self.competence[index] + self.learning_rate, 1.0)
        reward = self.competence_of(self.task)
        info = {"task": self.task.copy(), "competence": reward}
        if self.noise > 0:
            reward += self.noise * float(self.np_random.standard_normal())
        return self._observation(), reward, True, False, info
