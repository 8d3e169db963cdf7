"""The main-process side of the teacher channel: an SB3 callback that feeds the teacher.

Protocol (one episode ahead). Before training, the tasks of each env's first two episodes are
written into its :class:`~students.wrapper.TaskSlots`: the first is played at the initial reset,
the second waits. SB3 auto-resets a finished env inside the worker, immediately, on the waiting
task; the callback then sees the finished episode in ``self.locals["infos"]``, calls
``teacher.update`` once for it, samples the task of the episode after next and writes it,
before the next ``VecEnv.step`` reaches the worker. Workers never wait for the teacher, and an
env never lacks a task because an episode lasts at least one step.

Freshness. The task of env ``e``'s episode ``k + 2`` is sampled when its episode ``k`` ends:
the teacher has then seen every episode finished so far by any env, but not episode ``k + 1``
of env ``e``, which is being played. With one env that is one episode of lag; with ``n_envs``
envs, about ``n_envs`` episodes in flight, the lag any vectorized sampler has. Removing it would
make each worker wait for the main process at every reset: on cheap envs such a blocking round
trip per episode end costs PPO a large share of its throughput, this channel a small one
(measured by ``python -m benchmarks.perf.throughput``; figures in
``results/perf/2026-12-04-students-docstring-figures.md``).

Each finished episode reaches the teacher exactly once, paired with the task the env reports it
played; the callback checks that task against its own record of what it wrote (which also gives
the per-step tasks of :class:`~teachers.base.Rollout` without any extra traffic).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.distributions import CategoricalDistribution
from stable_baselines3.common.policies import BasePolicy

from aclbench.students.base import TrainingListener
from aclbench.students.wrapper import RETURN_KEY, TASK_KEY, TaskSlots
from aclbench.teachers.base import Rollout, Teacher


class CurriculumCallback(BaseCallback):
    """Feeds every finished training episode to the teacher and keeps each env one task ahead.

    Args:
        teacher: lives in the main process.
        slots: the training envs' task slots (``depth`` >= 2), one row per env.
        record_rollouts: record the task and raw reward of every step and call
            ``teacher.on_rollout_end`` at the end of each on-policy rollout. Rewards are the
            env's; SB3's buffer adds ``gamma * V(s_T)`` to those of truncated episodes, which its
            advantages and returns include. For a teacher that declares ``policy_outputs``, the
            rollout also carries the policy's per-step entropies and, for discrete actions, action
            probabilities (:func:`policy_outputs`).

    Attributes:
        listener: told of every episode and every vectorized step; set before each ``learn``.
        current: ``n_envs`` x ``n_dims``, the task each env is playing.
        queued: ``n_envs`` x ``n_dims``, the task each env will play next.
    """

    def __init__(
        self, teacher: Teacher, slots: TaskSlots, *, record_rollouts: bool = False
    ) -> None:
        super().__init__()
        self.teacher = teacher
        self.slots = slots
        self.listener: TrainingListener | None = None
        n_envs, n_dims = slots.shape[0], len(teacher.task_space)
        self.current = np.zeros((n_envs, n_dims))
        self.queued = np.zeros((n_envs, n_dims))
        self.next_episode = np.ones(n_envs, dtype=np.int64)
        self.record_rollouts = record_rollouts
        self._row = 0
        self._tasks: np.ndarray | None = None
        self._rewards: np.ndarray | None = None

    def prime(self) -> None:
        """Write each env's first two tasks; call once, before the ``VecEnv``'s first reset."""
        for e in range(len(self.current)):
            self.current[e] = self.teacher.sample_task()
            self.slots.write(e, 0, self.current[e])
        for e in range(len(self.current)):
            self.queued[e] = self.teacher.sample_task()
            self.slots.write(e, 1, self.queued[e])

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
        entropies, action_probs = None, None
        if self.teacher.capabilities.policy_outputs:
            entropies, action_probs = policy_outputs(self.model.policy, buffer, n)
        self.teacher.on_rollout_end(
            Rollout(
                tasks=self._tasks[:n].copy(),
                rewards=self._rewards[:n].copy(),
                values=buffer.values[:n].astype(np.float64),
                advantages=buffer.advantages[:n].astype(np.float64),
                returns=buffer.returns[:n].astype(np.float64),
                episode_starts=buffer.episode_starts[:n].astype(bool),
                entropies=entropies,
                action_probs=action_probs,
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
            if self.listener is not None:  # first, so a return the teacher refuses is recorded
                self.listener.on_episode(task, episode_return, self.num_timesteps)
            self.teacher.update(task, episode_return)
        self.current[envs] = self.queued[envs]
        self.next_episode[envs] += 1
        for e in envs:
            self.queued[e] = self.teacher.sample_task()
            self.slots.write(e, self.next_episode[e], self.queued[e])


def policy_outputs(
    policy: BasePolicy, buffer: RolloutBuffer, n: int
) -> tuple[NDArray[np.float64] | None, NDArray[np.float64] | None]:
    """The entropy (``n`` x ``n_envs``) and, for discrete actions, the action probabilities
    (``n`` x ``n_envs`` x ``n_actions``) of the policy at the first ``n`` steps of ``buffer``.

    One batched forward pass over the rollout's observations, at its end: the policy is the one
    that played it (the gradient update comes after), and recording a distribution at every
    step would cost a call per step. ``None`` where the policy's distribution has no entropy
    (squashed Gaussians) or no action probabilities (continuous actions).
    """
    n_envs = buffer.n_envs

    def rows(obs: NDArray) -> NDArray:
        return obs[:n].reshape(n * n_envs, *obs.shape[2:])

    raw = buffer.observations
    obs = {k: rows(v) for k, v in raw.items()} if isinstance(raw, dict) else rows(raw)
    with torch.no_grad():
        tensor, _ = policy.obs_to_tensor(obs)
        dist = policy.get_distribution(tensor)  # type: ignore[operator]
        entropy = dist.entropy()
    entropies = None
    if entropy is not None:
        entropies = entropy.cpu().numpy().astype(np.float64).reshape(n, n_envs)
    probs = None
    if isinstance(dist, CategoricalDistribution):
        probs = dist.distribution.probs.cpu().numpy().astype(np.float64).reshape(n, n_envs, -1)
    return entropies, probs
