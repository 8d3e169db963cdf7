"""The main-process side of the teacher channel: an SB3 callback that feeds the teacher.

Protocol (one episode ahead). Before training, each env ``e`` is sent two tasks: the first is
played at the initial reset, the second waits in its :class:`~students.wrapper.CurriculumWrapper`
queue. SB3 auto-resets a finished env inside the worker, immediately, with the queued task; the
callback then sees the finished episode in ``self.locals["infos"]``, calls ``teacher.update``
once for it, samples a replacement task and pushes it before the next ``VecEnv.step`` reaches
the worker (one batched ``env_method`` call for every env done on that step). Workers therefore
never wait for the teacher at a reset, and the queue never runs dry because an episode lasts at
least one step.

Freshness. The task of env ``e``'s episode ``k + 2`` is sampled when its episode ``k`` ends:
the teacher has then seen every episode finished so far by any env, but not episode ``k + 1``
of env ``e``, which is being played. With one env that is one episode of lag; with ``n_envs``
envs, about ``n_envs`` in-flight episodes, the same lag any vectorized sampler has. Dropping the
lag would mean stalling the worker at every reset, which costs a quarter of PPO's throughput on
cheap envs.

Each finished episode reaches the teacher exactly once, paired with the task the env reports it
played; the callback checks that task against its own record of what it sent (which also gives
the per-step tasks of :class:`~teachers.base.Rollout` without any extra traffic).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import VecEnv

from students.base import TrainingListener
from students.wrapper import RETURN_KEY, TASK_KEY
from teachers.base import Rollout, Teacher


class CurriculumCallback(BaseCallback):
    """Feeds every finished training episode to the teacher and keeps each env's queue full.

    Args:
        teacher: lives in the main process.
        n_envs: number of envs of the training ``VecEnv``.
        record_rollouts: record the task and raw reward of every step and call
            ``teacher.on_rollout_end`` at the end of each on-policy rollout.

    Attributes:
        listener: told of every episode and every vectorized step; set before each ``learn``.
        current: ``n_envs`` x ``n_dims``, the task each env is playing.
        queued: ``n_envs`` x ``n_dims``, the task each env will play next.
    """

    def __init__(self, teacher: Teacher, n_envs: int, *, record_rollouts: bool = False) -> None:
        super().__init__()
        self.teacher = teacher
        self.listener: TrainingListener | None = None
        n_dims = len(teacher.task_space)
        self.current = np.zeros((n_envs, n_dims))
        self.queued = np.zeros((n_envs, n_dims))
        self.record_rollouts = record_rollouts
        self._row = 0
        self._tasks: np.ndarray | None = None
        self._rewards: np.ndarray | None = None

    def prime(self, venv: VecEnv) -> None:
        """Send each env its first two tasks; call once, before the ``VecEnv``'s first reset."""
        n_envs = len(self.current)
        self.current[:] = [self.teacher.sample_task() for _ in range(n_envs)]
        self.queued[:] = [self.teacher.sample_task() for _ in range(n_envs)]
        venv.env_method(
            "push_tasks", {e: np.stack([self.current[e], self.queued[e]]) for e in range(n_envs)}
        )

    # --- SB3 hooks -----------------------------------------------------------------------------
    def _on_rollout_start(self) -> None:
        self._row = 0

    def _on_step(self) -> bool:
        dones = self.locals["dones"]
        if self.record_rollouts:
            self._record_step()
        if dones.any():
            self._on_episodes_end(np.flatnonzero(dones), self.locals["infos"])
        if self.listener is not None:
            self.listener.on_steps(self.num_timesteps)
        return True

    def _on_rollout_end(self) -> None:
        buffer = getattr(self.model, "rollout_buffer", None)
        if not self.record_rollouts or not isinstance(buffer, RolloutBuffer):
            return
        assert self._tasks is not None and self._rewards is not None
        n = self._row  # == n_steps unless training stopped early
        self.teacher.on_rollout_end(
            Rollout(
                tasks=self._tasks[:n].copy(),
                rewards=self._rewards[:n].copy(),
                values=buffer.values[:n].astype(np.float64),
                advantages=buffer.advantages[:n].astype(np.float64),
                returns=buffer.returns[:n].astype(np.float64),
                episode_starts=buffer.episode_starts[:n].astype(bool),
            )
        )

    # --- bookkeeping ---------------------------------------------------------------------------
    def _record_step(self) -> None:
        if self._tasks is None:
            n_steps = self.model.n_steps  # type: ignore[attr-defined]
            self._tasks = np.zeros((n_steps, *self.current.shape))
            self._rewards = np.zeros((n_steps, len(self.current)))
        assert self._rewards is not None
        # Copied now: SB3 adds the bootstrap value of truncated episodes to `rewards` afterwards.
        self._tasks[self._row] = self.current
        self._rewards[self._row] = self.locals["rewards"]
        self._row += 1

    def _on_episodes_end(self, envs: np.ndarray, infos: Any) -> None:
        for e in envs:
            info = infos[e]
            task, episode_return = info[TASK_KEY], info[RETURN_KEY]
            if not np.array_equal(task, self.current[e]):
                raise RuntimeError(
                    f"env {e} played task {task}, but the teacher channel sent {self.current[e]}: "
                    "something reset the training env outside the curriculum callback"
                )
            self.teacher.update(task, episode_return)
            if self.listener is not None:
                self.listener.on_episode(task, episode_return, self.num_timesteps)
        self.current[envs] = self.queued[envs]
        fresh = {int(e): self.teacher.sample_task() for e in envs}
        self.queued[envs] = list(fresh.values())
        self.training_env.env_method("push_tasks", fresh, indices=envs.tolist())
