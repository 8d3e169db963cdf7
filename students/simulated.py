"""The ``simulated`` student: no network, the env itself is the learner.

For envs like ``toy`` (the simulated student of Portelas et al., CoRL 2019, section 5.1) whose
state is a competence per task that grows when the task is played. Training is the plain
sequential loop (sample a task, play one episode, feed the return back), so a teacher's
feedback is always fresh; evaluation reads ``competence_of(task)`` and never plays.

A teacher that asks for the value of each episode's initial state (``initial_values``, SPDL)
gets ``competence_of(task)`` before the episode: the student's expected return on the task as
it stands, which is what a critic's V(s0) estimates (on ``toy``, the episode's return is that
competence plus at most 0.01 from the play itself).

``reset_every`` makes it the forgetting student of TeachMyAgent's third challenge (Romac et
al., ICML 2021: networks re-initialized and replay buffer emptied every 7M of 20M steps): every
``reset_every`` env steps all competences go back to their initial zeros, as the SB3 students'
``reset_every`` re-initializes their networks (:mod:`students.forgetting`).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Protocol, cast

import gymnasium as gym
import numpy as np
from numpy.typing import ArrayLike, NDArray

from aclbench.envs.core import TaskEnv, make_env, task_env
from aclbench.errors import ConfigError
from aclbench.students.base import Student, TrainingListener
from aclbench.students.registry import register_student
from aclbench.teachers.base import Teacher


class _SelfLearner(TaskEnv, Protocol):
    """An env that holds its own competences (``toy``, ``task-graph``)."""

    competence: NDArray[Any]

    def competence_of(self, task: ArrayLike) -> float: ...


def is_self_learner(env: gym.Env) -> bool:
    """Whether ``env`` simulates its own student (``toy``, ``task-graph``): its competences
    change with the tasks it plays, whatever actions it is given."""
    learner = env.unwrapped
    return callable(getattr(learner, "competence_of", None)) and hasattr(learner, "competence")


@register_student("simulated")
class SimulatedStudent(Student):
    """Plays each teacher task for one episode on an env that holds its own competences.

    The env's unwrapped class must have ``competence_of(task) -> float`` (read-only) and a
    ``competence`` array (saved as ``competence.npy``).

    Args:
        reset_every: env steps between two resets of every competence to 0 (the forgetting
            student); 0, the default, never resets.
    """

    @classmethod
    def check_param_names(cls, params: dict[str, Any], *, name: str) -> None:
        """The names, and the value of ``reset_every``, before any run starts."""
        super().check_param_names(params, name=name)
        _check_reset_every(params.get("reset_every", 0))

    @classmethod
    def check_env(cls, env: gym.Env, *, name: str, env_name: str) -> None:
        """Only an env that is its own learner can be trained without a network."""
        if not is_self_learner(env):
            raise ConfigError(
                f"student {name!r} needs an env that is its own learner, with "
                f"competence_of(task) and a competence array; env {env_name!r} "
                f"({type(env.unwrapped).__name__}) has none. Use env 'toy' or 'task-graph', or "
                "a neural student ('ppo', 'sac') for this env"
            )

    def __init__(
        self,
        env_name: str,
        teacher: Teacher,
        *,
        seed: int,
        env_kwargs: dict[str, Any] | None = None,
        device: str = "auto",
        reset_every: int = 0,
    ) -> None:
        super().__init__(env_name, teacher, seed=seed, env_kwargs=env_kwargs, device=device)
        _check_reset_every(reset_every)
        self.reset_every = reset_every
        self.hyperparams = {"reset_every": reset_every}
        self.device = "cpu"  # no network: whatever device is asked for
        self.env = make_env(env_name, **self.env_kwargs)
        self.check_env(self.env, name="simulated", env_name=env_name)
        self.learner = cast(_SelfLearner, task_env(self.env))  # checked just above
        if self.learner.task_space != teacher.task_space:
            raise ConfigError(
                f"the teacher's task space {teacher.task_space!r} differs from env "
                f"{env_name!r}'s {self.learner.task_space!r}"
            )
        self.env.action_space.seed(seed)
        self._seed: int | None = seed  # used at the first reset only
        self.env_steps = 0

    def learn(self, total_steps: int, listener: TrainingListener) -> None:
        end = self.env_steps + total_steps
        while self.env_steps < end:
            task = self.teacher.sample_task()
            start = self.env_steps
            self.env.reset(seed=self._seed, options={"task": task})
            self._seed = None
            if self.teacher.capabilities.initial_values:
                played = self.learner.task
                self.teacher.on_initial_values(played[None], [self._competence(played)])
            episode_return, done = 0.0, False
            while not done:
                _, reward, terminated, truncated, _ = self.env.step(self.env.action_space.sample())
                episode_return += float(reward)
                self.env_steps += 1
                done = terminated or truncated
            played = self.learner.task.copy()
            listener.on_episode(played, episode_return, self.env_steps)
            self.teacher.update(played, episode_return)
            listener.on_steps(self.env_steps)
            if self.reset_every and self.env_steps // self.reset_every > start // self.reset_every:
                self.learner.competence = np.zeros_like(self.learner.competence)

    def evaluate(self, tasks: NDArray[np.float64]) -> NDArray[np.float64]:
        """Competence of each task (``n_tasks``), in the order given; changes nothing."""
        space = self.learner.task_space
        return np.array(
            [self._competence(space.validate(t)) for t in np.asarray(tasks, dtype=np.float64)]
        )

    def _competence(self, task: ArrayLike) -> float:
        return float(self.learner.competence_of(task))

    def save_checkpoint(self, directory: Path) -> None:
        unwrapped = self.env.unwrapped
        state = {
            "env_steps": self.env_steps,
            "seed": self._seed,
            "competence": np.array(self.learner.competence),
            "task": np.array(self.learner.task),
            "env_rng": unwrapped.np_random.bit_generator.state,
            "action_rng": self.env.action_space.np_random.bit_generator.state,
        }
        Path(directory).mkdir(parents=True, exist_ok=True)
        (Path(directory) / "simulated.pkl").write_bytes(pickle.dumps(state))

    def load_checkpoint(self, directory: Path) -> None:
        state = pickle.loads((Path(directory) / "simulated.pkl").read_bytes())
        self.env_steps, self._seed = state["env_steps"], state["seed"]
        self.learner.competence = state["competence"]
        self.learner.task = state["task"]
        self.env.unwrapped.np_random.bit_generator.state = state["env_rng"]
        self.env.action_space.np_random.bit_generator.state = state["action_rng"]

    def save(self, directory: Path) -> None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        competence = np.asarray(self.learner.competence)
        np.save(Path(directory) / "competence.npy", competence)

    def close(self) -> None:
        self.env.close()


def _check_reset_every(value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"reset_every = {value!r}; expected an integer >= 0 (0: never)")
