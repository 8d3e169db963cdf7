"""The PAIRED adversary's network and its PPO update; the only teacher module importing torch.

A small actor-critic MLP over the level builder's observation (:mod:`teachers.level_builders`):
a masked categorical over the builder's actions, and a value head predicting the regret the
finished level will get. A construction is an episode of ``n_steps`` choices whose only reward,
the level's regret, comes at the end (undiscounted), so every step's return is that regret.
The update is PPO's clipped surrogate (Schulman et al. 2017), as the adversary of Dennis et al.
(2020) is trained with PPO, over the round's constructions taken as one batch, with advantages
``regret - V(s_t)`` normalized over the batch. Regrets too large for float32 losses (above
about 1e19) would turn every weight to NaN for good: such an update stops before its step.

Randomness: the weights are initialized from a seed the teacher draws from its own generator,
inside ``torch.random.fork_rng`` so the global torch generator is left as it was; actions are
drawn by the teacher from the returned probabilities, with its own generator.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from aclbench.teachers.torch_threads import one_thread


class AdversaryPolicy:
    """Actor-critic over builder observations, trained by PPO on terminal rewards.

    Args:
        obs_dim: length of an observation.
        n_actions: choices per step.
        seed: initializes the weights.
        hidden: width of the two tanh hidden layers.
        learning_rate: Adam's step size.
        epochs: passes of PPO over each batch.
        clip_range: PPO's ratio clip.
        entropy_coef: weight of the entropy bonus.
        value_coef: weight of the value loss.
        max_grad_norm: gradient norm clip.
    """

    def __init__(
        self,
        obs_dim: int,
        n_actions: int,
        *,
        seed: int,
        hidden: int = 64,
        learning_rate: float = 1e-4,
        epochs: int = 5,
        clip_range: float = 0.2,
        entropy_coef: float = 0.0,
        value_coef: float = 0.5,
        max_grad_norm: float = 0.5,
    ) -> None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.body = nn.Sequential(
                nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh()
            )
            self.actor = nn.Linear(hidden, n_actions)
            self.critic = nn.Linear(hidden, 1)
        self.parameters = [
            *self.body.parameters(),
            *self.actor.parameters(),
            *self.critic.parameters(),
        ]
        self.optimizer = torch.optim.Adam(self.parameters, lr=learning_rate)
        self.epochs, self.clip_range = epochs, clip_range
        self.entropy_coef, self.value_coef = entropy_coef, value_coef
        self.max_grad_norm = max_grad_norm

    def _forward(
        self, obs: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.distributions.Categorical, torch.Tensor]:
        features = self.body(obs)
        logits = self.actor(features).masked_fill(~mask, float("-inf"))
        return torch.distributions.Categorical(logits=logits, validate_args=False), self.critic(
            features
        ).squeeze(-1)

    def probabilities(self, obs: NDArray[np.float32], mask: NDArray[np.bool_]) -> NDArray:
        """Probability of each action (``n_actions``; 0 where masked) after ``obs``.

        The actor's forward pass in numpy, on views of the torch weights: one level takes up
        to a few dozen of these calls, and a torch call on such small arrays costs 10 times
        more (100 times more with several threads on a busy CPU).
        """
        hidden = np.asarray(obs, dtype=np.float32)
        # Indexing a Sequential is typed as any Module; these are the body's Linear layers.
        linears = cast("tuple[nn.Linear, ...]", (self.body[0], self.body[2], self.actor))
        for layer in linears:
            weight, bias = (p.detach().numpy() for p in (layer.weight, layer.bias))
            hidden = weight @ hidden + bias
            if layer is not self.actor:
                hidden = np.tanh(hidden)
        logits = np.where(mask, hidden.astype(np.float64), -np.inf)
        weights = np.exp(logits - logits.max())
        return weights / weights.sum()

    def update(
        self,
        obs: NDArray[np.float32],
        masks: NDArray[np.bool_],
        actions: NDArray[np.int64],
        rewards: NDArray[np.float64],
    ) -> dict[str, Any]:
        """One PPO update on ``n_levels`` constructions of ``n_steps`` choices.

        Args:
            obs: ``n_levels`` x ``n_steps`` x ``obs_dim``.
            masks: ``n_levels`` x ``n_steps`` x ``n_actions``.
            actions: ``n_levels`` x ``n_steps``.
            rewards: ``n_levels``, each construction's terminal reward (its level's regret).

        Returns:
            the mean entropy of the policy before the update and the last value loss.
        """
        with one_thread():  # batches of a few hundred rows
            return self._update(obs, masks, actions, rewards)

    def _update(
        self,
        obs: NDArray[np.float32],
        masks: NDArray[np.bool_],
        actions: NDArray[np.int64],
        rewards: NDArray[np.float64],
    ) -> dict[str, Any]:
        obs_t, mask_t = torch.as_tensor(obs), torch.as_tensor(masks)
        actions_t = torch.as_tensor(actions)
        returns = torch.as_tensor(rewards, dtype=torch.float32)[:, None].expand(actions_t.shape)
        with torch.no_grad():
            dist, values = self._forward(obs_t, mask_t)
            old_log_prob = dist.log_prob(actions_t)
            entropy = float(dist.entropy().mean())
            advantages = returns - values
            if advantages.numel() > 1 and float(advantages.std()) > 1e-8:
                advantages = (advantages - advantages.mean()) / advantages.std()
        value_loss = torch.tensor(0.0)
        for _ in range(self.epochs):
            dist, values = self._forward(obs_t, mask_t)
            ratio = torch.exp(dist.log_prob(actions_t) - old_log_prob)
            clipped = torch.clamp(ratio, 1.0 - self.clip_range, 1.0 + self.clip_range)
            policy_loss = -torch.min(ratio * advantages, clipped * advantages).mean()
            value_loss = ((returns - values) ** 2).mean()
            loss = (
                policy_loss
                + self.value_coef * value_loss
                - self.entropy_coef * dist.entropy().mean()
            )
            self.optimizer.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(self.parameters, self.max_grad_norm)
            if not (torch.isfinite(loss) and torch.isfinite(norm)):
                break  # regrets past float32's range (squares past ~1e38): a step would be NaN
            self.optimizer.step()
        return {"entropy": entropy, "value_loss": float(value_loss.detach())}
