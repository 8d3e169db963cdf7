"""The CLUTR teacher's policy over latent codes and its PPO update; it imports torch.

CLUTR's teacher (Azad et al., ICML 2023) generates a whole level in one step: from a random
context vector (uniform noise, as PAIRED's adversary is given), a Gaussian policy outputs a
latent code of the frozen task VAE, which decodes it into a level. Its only reward is the
level's regret, so it is trained as a contextual bandit, by PPO's clipped surrogate (Schulman
et al. 2017) over the round's (context, code, regret) triples, with advantages ``regret -
V(context)`` normalized over the batch.

The mean is a 2-layer tanh MLP of the context whose last layer starts near 0 and the log
standard deviation a free vector starting at 0, so before any update codes are drawn from
the VAE's prior N(0, I), whose decodes resemble the random levels it was trained on.

Randomness: weights are initialized from a seed the teacher draws from its own generator,
inside ``torch.random.fork_rng``; the contexts and the Gaussian draws are the teacher's.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from aclbench.teachers.torch_threads import one_thread


class LatentPolicy:
    """Gaussian policy over ``latent_dim`` codes given ``context_dim`` noise, with a critic.

    Args:
        context_dim: length of the random context.
        latent_dim: length of a latent code.
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
        context_dim: int,
        latent_dim: int,
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
                nn.Linear(context_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh()
            )
            self.mean_head = nn.Linear(hidden, latent_dim)
            nn.init.orthogonal_(self.mean_head.weight, gain=0.01)  # SB3's init of the action head
            nn.init.zeros_(self.mean_head.bias)
            self.critic = nn.Linear(hidden, 1)
        self.log_std = nn.Parameter(torch.zeros(latent_dim))
        self.parameters = [
            *self.body.parameters(),
            *self.mean_head.parameters(),
            *self.critic.parameters(),
            self.log_std,
        ]
        self.optimizer = torch.optim.Adam(self.parameters, lr=learning_rate)
        self.epochs, self.clip_range = epochs, clip_range
        self.entropy_coef, self.value_coef = entropy_coef, value_coef
        self.max_grad_norm = max_grad_norm

    def mean_and_std(
        self, context: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The Gaussian's mean and standard deviation for one context, computed in numpy on
        views of the torch weights (a torch call on one row costs many times more)."""
        hidden = np.asarray(context, dtype=np.float32)
        linears = cast("tuple[nn.Linear, ...]", (self.body[0], self.body[2], self.mean_head))
        for layer in linears:
            weight, bias = (p.detach().numpy() for p in (layer.weight, layer.bias))
            hidden = weight @ hidden + bias
            if layer is not self.mean_head:
                hidden = np.tanh(hidden)
        std = np.exp(self.log_std.detach().numpy())
        return hidden.astype(np.float64), std.astype(np.float64)

    def _forward(self, context: torch.Tensor) -> tuple[torch.distributions.Normal, torch.Tensor]:
        features = self.body(context)
        dist = torch.distributions.Normal(
            self.mean_head(features), self.log_std.exp(), validate_args=False
        )
        return dist, self.critic(features).squeeze(-1)

    def update(
        self,
        contexts: NDArray[np.float64],
        codes: NDArray[np.float64],
        rewards: NDArray[np.float64],
    ) -> dict[str, Any]:
        """One PPO update on ``n`` one-step episodes: ``contexts`` (``n`` x ``context_dim``),
        the ``codes`` drawn (``n`` x ``latent_dim``) and their levels' regrets (``n``).

        Returns the policy's mean standard deviation before the update and the last value loss.
        """
        with one_thread():  # batches of a few dozen rows
            return self._update(contexts, codes, rewards)

    def _update(
        self,
        contexts: NDArray[np.float64],
        codes: NDArray[np.float64],
        rewards: NDArray[np.float64],
    ) -> dict[str, Any]:
        context_t = torch.as_tensor(contexts, dtype=torch.float32)
        codes_t = torch.as_tensor(codes, dtype=torch.float32)
        returns = torch.as_tensor(rewards, dtype=torch.float32)
        with torch.no_grad():
            dist, values = self._forward(context_t)
            old_log_prob = dist.log_prob(codes_t).sum(-1)
            std = float(self.log_std.exp().mean())
            advantages = returns - values
            if advantages.numel() > 1 and float(advantages.std()) > 1e-8:
                advantages = (advantages - advantages.mean()) / advantages.std()
        value_loss = torch.tensor(0.0)
        for _ in range(self.epochs):
            dist, values = self._forward(context_t)
            ratio = torch.exp(dist.log_prob(codes_t).sum(-1) - old_log_prob)
            clipped = torch.clamp(ratio, 1.0 - self.clip_range, 1.0 + self.clip_range)
            policy_loss = -torch.min(ratio * advantages, clipped * advantages).mean()
            value_loss = ((returns - values) ** 2).mean()
            entropy = dist.entropy().sum(-1).mean()
            loss = policy_loss + self.value_coef * value_loss - self.entropy_coef * entropy
            self.optimizer.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(self.parameters, self.max_grad_norm)
            if not (torch.isfinite(loss) and torch.isfinite(norm)):
                break  # regrets past float32's range: a step would make every weight NaN
            self.optimizer.step()
        return {"std": std, "value_loss": float(value_loss.detach())}
