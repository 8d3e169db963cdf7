"""PAIRED rounds for an SB3 on-policy student: a protagonist, an antagonist, one adversary.

Dennis et al. (NeurIPS 2020), "Emergent Complexity and Zero-shot Transfer via Unsupervised
Environment Design". The adversary is the teacher (:mod:`teachers.paired`); this module gives
the student its antagonist and runs the rounds. An SB3 student whose teacher declares the
``adversarial`` capability trains in a :class:`PairedLoop`, so ``aclbench run --env maze
--teacher paired --student ppo`` is PAIRED with PPO students, and its results sit beside those
of the other teachers with the same student.

One round:

1. the teacher builds ``n_envs`` levels, one per env;
2. the protagonist (the student's own model, the one evaluated and saved as ``model.zip``)
   plays one rollout of ``n_steps`` per env, each env on its level from a fresh reset and
   replaying it episode after episode, then takes its gradient update (one SB3 ``learn`` call);
3. the antagonist, a second model of the same algorithm and hyperparameters (seeded with the
   student's seed + 1, with its own envs), does the same on the same levels;
4. every episode is reported as it ends, ``teacher.update(level, return, info={"agent": ...})``;
   on a level where a student finished no episode within the rollout, its unfinished episode's
   return so far is reported instead, with ``info["finished"] = False``, so that every level
   gets a regret;
5. ``teacher.end_round()`` computes the regrets and trains the adversary.

Accounting: ``env_steps`` counts the steps of both students, so PAIRED gets the same env
interaction budget as any other teacher (its protagonist trains on half of it). The listener
hears the protagonist's finished episodes only. ``learn`` stops after the first round that
reaches its budget, overshooting by less than one round (``2 * n_steps * n_envs`` steps).

Each ``learn`` call of a round sees SB3's progress go from 1 to 0, so progress-dependent
schedules (``"lin_..."``) would decay within one rollout; they are refused.

Resuming. A checkpoint is taken when the harness asks, in the middle of one student's rollout.
It holds both models (weights, optimizer, step counters), the round's levels and whose rollout
was under way; the adversary and its round's constructions and returns so far are in the
teacher's state. What cannot be saved is the envs' state mid-episode (other processes, Box2D
worlds) and with it the rollout under way, so a resumed run is not bit-identical to an
uninterrupted one: it replays that student's rollout from a fresh reset on the same levels,
with the same weights (a student's weights change only after its rollout), then goes on with
the round. The round's levels thus get that student's returns from the killed partial rollout
and from the replayed one, all from the same policy. Step counts go on from the checkpoint's,
so the run's rows have no gap and no duplicate; the resumed round is longer by the steps of
the partial rollout.
"""

from __future__ import annotations

import pickle
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecEnv

from aclbench.envs.curriculum import RETURN_KEY, TASK_KEY, TaskSlots
from aclbench.errors import ConfigError
from aclbench.students.base import TrainingListener
from aclbench.students.loops import LoopStudent, TrainingLoop, require_on_policy
from aclbench.teachers.base import Teacher

ROUNDS_FILE = "paired_rounds.pkl"


class RoundCallback(BaseCallback):
    """One student's side of a round: every env replays its level for the whole rollout.

    Args:
        teacher: gets every episode, tagged ``info["agent"] = agent``.
        slots: the task slots of this student's envs.
        agent: ``"protagonist"`` or ``"antagonist"``.
        clock: env steps of both students so far, for the listener.
    """

    def __init__(
        self, teacher: Teacher, slots: TaskSlots, agent: str, clock: Callable[[], int]
    ) -> None:
        super().__init__()
        self.teacher, self.slots, self.agent, self.clock = teacher, slots, agent, clock
        self.levels = np.zeros((slots.shape[0], len(teacher.task_space)))
        self.listener: TrainingListener | None = None
        self._episode = np.zeros(slots.shape[0], dtype=np.int64)
        self._partial = np.zeros(slots.shape[0])
        self._finished = np.zeros(slots.shape[0], dtype=bool)

    def _on_rollout_start(self) -> None:
        # Each env's next reset reads the slot of its episode number: write its level there
        # and in the slot after, then reset every env onto it.
        self._episode = np.array(self.training_env.get_attr("episodes"), dtype=np.int64)
        for e, level in enumerate(self.levels):
            self.slots.write(e, self._episode[e], level)
            self.slots.write(e, self._episode[e] + 1, level)
        self.model._last_obs = self.training_env.reset()  # type: ignore[assignment]
        self.model._last_episode_starts = np.ones(len(self.levels), dtype=bool)
        self._episode += 1
        self._partial[:] = 0.0
        self._finished[:] = False

    def _on_step(self) -> bool:
        self._partial += self.locals["rewards"]
        for e in np.flatnonzero(self.locals["dones"]).tolist():
            info = self.locals["infos"][e]
            if not np.array_equal(info[TASK_KEY], self.levels[e]):
                raise RuntimeError(f"{self.agent} env {e} played {info[TASK_KEY]}, not its level")
            self._report(e, info[RETURN_KEY], finished=True)
            self._episode[e] += 1
            self.slots.write(e, self._episode[e], self.levels[e])
        if self.listener is not None:
            self.listener.on_steps(self.clock())
        return True

    def _on_rollout_end(self) -> None:
        for e in np.flatnonzero(~self._finished).tolist():
            self._report(e, float(self._partial[e]), finished=False)

    def _report(self, env: int, episode_return: float, *, finished: bool) -> None:
        level = self.levels[env]
        info = {"agent": self.agent} if finished else {"agent": self.agent, "finished": False}
        if finished:
            self._finished[env] = True
            self._partial[env] = 0.0
            if self.listener is not None and self.agent == "protagonist":
                self.listener.on_episode(level, episode_return, self.clock())
        self.teacher.update(level, episode_return, info=info)


class PairedLoop(TrainingLoop):
    """The training loop of a teacher with ``adversarial``: the student's antagonist and the
    PAIRED rounds of both (module docstring).

    Args:
        student: its ``model`` and ``slots`` are the protagonist's; the antagonist is built by
            its ``new_model``, seeded with the student's seed + 1.

    Attributes:
        antagonist: the second model; ``venv`` and ``slots`` are its envs and their tasks.
        rounds: rounds played so far; ``last_regrets`` are the last one's.
    """

    @classmethod
    def check_config(
        cls, teacher: Teacher, algorithm: type[BaseAlgorithm], config: dict[str, Any]
    ) -> None:
        require_on_policy(teacher, algorithm, "runs PAIRED rounds of on-policy rollouts")
        if config.get("reset_every"):
            raise ConfigError(
                "reset_every (the forgetting student) is not supported with PAIRED, whose "
                "rounds train two students; leave it 0"
            )
        schedules = sorted(k for k, v in config.items() if callable(v))
        if schedules:
            raise ConfigError(
                f"PAIRED trains each student one rollout per SB3 learn call, so schedules "
                f"decay within a rollout; give constant values for {', '.join(schedules)}"
            )

    def __init__(self, student: LoopStudent) -> None:
        super().__init__(student)
        n_envs = student.slots.shape[0]
        self.slots = TaskSlots(n_envs, 2, len(self.teacher.task_space))
        try:
            self.venv, self.antagonist = student.new_model(self.slots, student.seed + 1)
        except BaseException:
            self.slots.unlink()
            raise
        self._close = weakref.finalize(self, _close, self.venv, self.slots)
        self.callbacks = tuple(
            RoundCallback(self.teacher, slots, agent, self.env_steps)
            for slots, agent in ((student.slots, "protagonist"), (self.slots, "antagonist"))
        )
        self.rounds = 0
        self.last_regrets = np.zeros(0)
        self.levels: NDArray[np.float64] | None = None  # the round under way, if any
        self.playing = 0  # index in `players` of the student whose rollout is under way

    @property
    def players(self) -> list[tuple[BaseAlgorithm, RoundCallback]]:
        """(model, callback) of the protagonist, then of the antagonist, in order of play."""
        return list(zip((self.student.model, self.antagonist), self.callbacks))

    def env_steps(self) -> int:
        """Env steps of both students so far."""
        return sum(model.num_timesteps for model, _ in self.players)

    def learn(self, total_steps: int, listener: TrainingListener) -> None:
        """Play rounds until both students together have taken ``total_steps`` more steps;
        first finish the round a checkpoint was taken in, if any."""
        end = self.env_steps() + total_steps
        while self.levels is not None or self.env_steps() < end:
            if self.levels is None:
                n_envs = self.slots.shape[0]
                self.levels = np.stack([self.teacher.sample_task() for _ in range(n_envs)])
                self.playing = 0
            while self.playing < len(self.callbacks):
                model, callback = self.players[self.playing]
                self._play(model, callback, self.levels, listener)
                self.playing += 1
            self.last_regrets = self.teacher.end_round()
            self.rounds += 1
            self.levels = None

    @staticmethod
    def _play(
        model: BaseAlgorithm,
        callback: RoundCallback,
        levels: NDArray[np.float64],
        listener: TrainingListener,
    ) -> None:
        callback.levels[:] = levels
        callback.listener = listener
        try:
            rollout = model.n_steps * model.n_envs  # type: ignore[attr-defined]
            model.learn(rollout, callback=callback, reset_num_timesteps=False)
        finally:
            callback.listener = None

    def save(self, directory: Path) -> None:
        """The antagonist's model, beside the protagonist's ``model.zip``."""
        self.antagonist.save(Path(directory) / "antagonist.zip")

    def save_checkpoint(self, directory: Path) -> None:
        """Beside :meth:`save`'s antagonist (weights, optimizer, step counter), the round under
        way: its levels and whose rollout was being played (module docstring, "Resuming")."""
        rounds = {
            "rounds": self.rounds,
            "last_regrets": self.last_regrets,
            "levels": self.levels,
            "playing": self.playing,
        }
        (Path(directory) / ROUNDS_FILE).write_bytes(pickle.dumps(rounds))

    def load_checkpoint(self, directory: Path) -> None:
        """Restore :meth:`save_checkpoint`'s state; the student's own model is loaded first."""
        directory = Path(directory)
        self.antagonist = type(self.antagonist).load(
            directory / "antagonist.zip", env=self.venv, device=self.antagonist.device
        )
        rounds = pickle.loads((directory / ROUNDS_FILE).read_bytes())
        self.rounds, self.last_regrets = rounds["rounds"], rounds["last_regrets"]
        self.levels, self.playing = rounds["levels"], rounds["playing"]

    def close(self) -> None:
        self._close()


def _close(venv: VecEnv, slots: TaskSlots) -> None:
    venv.close()
    slots.unlink()
