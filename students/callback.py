"""The SB3 side of the teacher channel: one callback adds a curriculum to ``model.learn``.

    curriculum = Curriculum(teacher, n_envs=4)
    venv = SubprocVecEnv(curriculum.env_fns("aclbench/CartPole-v0"))
    model = PPO("MlpPolicy", venv)
    model.learn(10_000, callback=CurriculumCallback(curriculum))

Any SB3 algorithm (on- or off-policy, sb3-contrib's too) calls ``_on_step`` after every
vectorized step; the callback then runs :meth:`~aclbench.envs.curriculum.Curriculum.collect`,
which feeds the teacher each finished episode once and queues the next tasks. ``learn`` may be
called again, with ``reset_num_timesteps`` either way, with this callback or a new one: the
state lives in the :class:`~aclbench.envs.curriculum.Curriculum`, and the episodes that
``learn``'s own reset cuts are collected before the first step (they are not fed, as they did
not finish).

Freshness. The task of env ``e``'s episode ``k + 2`` is sampled when its episode ``k`` ends:
the teacher has then seen every episode finished so far by any env, but not episode ``k + 1``
of env ``e``, which is being played. With ``n_envs`` envs that is about ``n_envs`` episodes in
flight, the lag any vectorized sampler has; removing it would make every worker wait for the
main process at each reset (see :mod:`aclbench.envs.curriculum`).
"""

from __future__ import annotations

import numpy as np
import torch
from numpy.typing import NDArray
from stable_baselines3.common.buffers import RolloutBuffer
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.distributions import CategoricalDistribution
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.dqn.policies import DQNPolicy

from aclbench.envs.curriculum import Curriculum
from aclbench.students.base import TrainingListener
from aclbench.teachers.base import Rollout, Teacher


class CurriculumCallback(BaseCallback):
    """Feeds every finished training episode to the curriculum's teacher, once.

    Args:
        curriculum: built with the teacher; the model's envs come from its ``env_fns``.
        record_rollouts: record the task and raw reward of every step and call
            ``teacher.on_rollout_end`` at the end of each on-policy rollout. Rewards are the
            env's; SB3's buffer adds ``gamma * V(s_T)`` to those of truncated episodes, which its
            advantages and returns include. For a teacher that declares ``policy_outputs``, the
            rollout also carries the policy's per-step entropies and, for discrete actions, action
            probabilities (:func:`policy_outputs`). ``None``: as the teacher's capabilities
            declare (``rollouts``).

    A teacher that declares ``initial_values`` gets the value the student predicts for the first
    state of each episode, with its task (``teacher.on_initial_values``): an on-policy student's
    at the end of each rollout, from the rollout's values at episode starts (computed anyway);
    an off-policy student's at each step where episodes start, from its critic at their first
    observations (:func:`critic_values`, a forward pass made only for such teachers).

    Attributes:
        listener: told of every episode and every vectorized step (the harness's).
    """

    def __init__(self, curriculum: Curriculum, *, record_rollouts: bool | None = None) -> None:
        super().__init__()
        self.curriculum = curriculum
        self.teacher: Teacher = curriculum.teacher  # type: ignore[assignment]
        self.listener: TrainingListener | None = None
        if record_rollouts is None:
            record_rollouts = self.teacher.capabilities.rollouts
        self.record_rollouts = record_rollouts
        self.initial_values = self.teacher.capabilities.initial_values
        self._record = record_rollouts  # the task of every step (on-policy initial values too)
        self._starts: NDArray[np.bool_] | None = None  # off-policy: envs at an episode's start
        self._row = 0
        # the tasks of the rollout's steps, as (first row, n_envs x n_dims tasks from that row
        # on): the tasks change only where episodes end, so they are copied only then
        self._task_rows: list[tuple[int, NDArray[np.float64]]] = []
        self._moves = 0  # curriculum.moves when the tasks were last copied
        self._rewards: np.ndarray | None = None

    @property
    def current(self) -> NDArray[np.float64]:
        """``n_envs`` x ``n_dims``, the task each env is playing."""
        return self.curriculum.playing

    # --- SB3 hooks -----------------------------------------------------------------------------
    def _on_training_start(self) -> None:
        if self.training_env.num_envs != self.curriculum.n_envs:
            raise ValueError(
                f"the model trains {self.training_env.num_envs} envs, the curriculum has "
                f"{self.curriculum.n_envs}; build the envs from curriculum.env_fns(...)"
            )
        if self.listener is not None:
            self.curriculum.on_episode = self._on_episode
        on_policy = isinstance(self.model, OnPolicyAlgorithm)
        self._record = self.record_rollouts or (self.initial_values and on_policy)
        if (
            self.initial_values
            and not on_policy
            and (self._starts is None or not self.model.num_timesteps)
        ):
            self._starts = np.array(self.model._last_episode_starts, dtype=bool)  # after a reset
        self.curriculum.collect()  # the episodes learn's reset cut, if it reset

    def _on_training_end(self) -> None:
        if self.listener is not None:  # keep nothing of the listener alive after training
            self.curriculum.on_episode = None

    def _on_rollout_start(self) -> None:
        self._row = 0

    def _on_step(self) -> bool:
        if self._record:
            self._record_step()
        if self._starts is not None:
            self._initial_values_off_policy()
        self.curriculum.collect()
        if self._record and self.curriculum.moves != self._moves:
            self._moves = self.curriculum.moves
            self._task_rows.append((self._row, self.current.copy()))
        if self.listener is not None:
            self.listener.on_steps(self.num_timesteps)
        return True

    def _on_episode(self, task: NDArray[np.float64], episode_return: float) -> None:
        if self.listener is not None:  # before the teacher: a return it refuses is recorded
            self.listener.on_episode(task, episode_return, self.num_timesteps)

    def _on_rollout_end(self) -> None:
        buffer = getattr(self.model, "rollout_buffer", None)
        if not self._record or not isinstance(buffer, RolloutBuffer):
            return
        assert self._rewards is not None
        n = self._row  # == n_steps unless training stopped early
        tasks = self._rollout_tasks(n)
        if self.initial_values:
            starts = buffer.episode_starts[:n].astype(bool)
            self.teacher.on_initial_values(tasks[starts], buffer.values[:n][starts])
        if not self.record_rollouts:
            return
        entropies, action_probs = None, None
        if self.teacher.capabilities.policy_outputs:
            entropies, action_probs = policy_outputs(self.model.policy, buffer, n)
        self.teacher.on_rollout_end(
            Rollout(
                tasks=tasks,
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
    def _initial_values_off_policy(self) -> None:
        """The critic's values of the first observations of the episodes that start at this
        step (``_last_obs``: the observations the step acted on), then which envs start next."""
        assert self._starts is not None
        if self._starts.any():
            envs = np.flatnonzero(self._starts)
            last = self.model._last_obs
            assert last is not None  # set by learn's reset
            obs = {k: v[envs] for k, v in last.items()} if isinstance(last, dict) else last[envs]
            values = critic_values(self.model.policy, obs)
            self.teacher.on_initial_values(self.current[envs].copy(), values)
        self._starts = np.array(self.locals["dones"], dtype=bool)

    def _record_step(self) -> None:
        if self._rewards is None:
            n_steps = self.model.n_steps  # type: ignore[attr-defined]
            self._rewards = np.zeros((n_steps, self.curriculum.n_envs))
        if self._row == 0:  # after any restart of the envs at the rollout's start
            self._task_rows = [(0, self.current.copy())]
            self._moves = self.curriculum.moves
        # Copied now, as SB3 adds the bootstrap value of truncated episodes to `rewards` after.
        self._rewards[self._row] = self.locals["rewards"]
        self._row += 1

    def _rollout_tasks(self, n: int) -> NDArray[np.float64]:
        """``n`` x ``n_envs`` x ``n_dims``: the task of each env at each of the rollout's first
        ``n`` steps."""
        tasks = np.empty((n, *self.current.shape))
        ends = [row for row, _ in self._task_rows[1:]] + [n]
        for (row, playing), end in zip(self._task_rows, ends):
            tasks[row:end] = playing
        return tasks


def critic_values(policy: BasePolicy, obs: NDArray | dict[str, NDArray]) -> NDArray[np.float64]:
    """An off-policy student's value of each observation (``n`` observations, ``n`` values):
    ``max_a Q(s, a)`` for DQN, else the smallest of the critics' ``Q(s, pi(s))`` at the
    actor's deterministic action (SAC, TD3: the estimate their targets use)."""
    with torch.no_grad():
        tensor, _ = policy.obs_to_tensor(obs)
        if isinstance(policy, DQNPolicy):
            values = policy.q_net(tensor).max(dim=1).values
        else:
            actions = policy._predict(tensor, deterministic=True)
            critics = policy.critic(tensor, actions)  # type: ignore[operator]
            values = torch.min(torch.cat(critics, dim=1), dim=1).values
    return values.cpu().numpy().astype(np.float64).reshape(-1)


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
