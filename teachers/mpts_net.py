"""MPTS's risk model, a small neural process; the only module of ``mpts`` importing torch.

Wang et al. (2025), "Model Predictive Task Sampling for Efficient and Robust Adaptation". The
model predicts a task's risk (here: its standardized negative return) with uncertainty:

- an encoder maps each ``(task, risk)`` pair of a batch to a representation, averages them and
  maps the average to a Gaussian over a latent ``z`` (the batch's summary of the risk
  landscape);
- a decoder maps ``(task, z)`` to a predicted risk; the spread of its predictions over samples
  of ``z`` is the uncertainty.

Training is streaming variational inference, one step per batch as in the reference code:
``loss = sum of squared errors + KL(q(z | batch) || prior)``, after which the prior becomes the
batch's posterior. Predictions draw ``z`` from the posterior of the last batch trained on (the
prior before any). Widths as the reference's sinusoid model: 10 hidden units, a 10-dimensional
latent, ReLU, Adam with learning rate 5e-4. The encoder's scale is ``0.1 + 0.9 sigmoid``, the
usual neural-process parametrization, so the posterior never collapses to a point.

Randomness: the weights are initialized from a seed the teacher draws, inside
``torch.random.fork_rng``; the latent noise comes from the teacher's numpy generator. So the
teacher's ``rng`` holds all the randomness and deep copies capture the model and its optimizer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.distributions import Normal, kl_divergence

from aclbench.teachers.torch_threads import one_thread


def _mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(n_in, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, n_out),
    )


class RiskModel:
    """Neural-process risk model over tasks of ``n_dims`` (unit cube coordinates).

    Args:
        n_dims: task dimensions.
        seed: initializes the weights.
        hidden: width of the hidden layers.
        latent: dimension of ``z``.
        learning_rate: Adam step size.
    """

    def __init__(
        self,
        n_dims: int,
        *,
        seed: int,
        hidden: int = 10,
        latent: int = 10,
        learning_rate: float = 5e-4,
    ) -> None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.encoder = _mlp(n_dims + 1, hidden, hidden)
            self.to_latent = nn.Linear(hidden, 2 * latent)
            self.decoder = _mlp(n_dims + latent, hidden, 1)
        modules = (self.encoder, self.to_latent, self.decoder)
        self.optimizer = torch.optim.Adam(
            [p for m in modules for p in m.parameters()], lr=learning_rate
        )
        self.latent = latent
        self.prior = (torch.zeros(latent), torch.ones(latent))
        self.context: tuple[torch.Tensor, torch.Tensor] | None = None  # last batch trained on

    def _posterior(self, x: torch.Tensor, y: torch.Tensor) -> Normal:
        summary = self.encoder(torch.cat([x, y[:, None]], dim=1)).mean(dim=0)
        loc, raw = self.to_latent(summary).chunk(2)
        return Normal(loc, 0.1 + 0.9 * torch.sigmoid(raw))

    def _decode(self, x: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
        """Predictions ``n_z`` x ``n`` for tasks ``x`` (``n`` x ``n_dims``), latents ``z``
        (``n_z`` x ``latent``)."""
        n_z, n = z.shape[0], x.shape[0]
        pairs = torch.cat([x.expand(n_z, n, -1), z[:, None, :].expand(n_z, n, -1)], dim=2)
        return self.decoder(pairs)[..., 0]

    def train(
        self,
        batches: Sequence[tuple[NDArray[np.float64], NDArray[np.float64]]],
        noise: NDArray[np.float64],
    ) -> float:
        """One gradient step per ``(tasks, risks)`` of ``batches`` (``n`` x ``n_dims``, ``n``),
        step ``i`` with the posterior sample of row ``i`` of ``noise`` (standard normal,
        ``len(batches)`` x ``latent``), all against the prior before the call; the prior then
        becomes the posterior given the last batch, which predictions condition on. Returns the
        last loss."""
        with one_thread():
            prior = Normal(*self.prior)
            loss = torch.tensor(0.0)
            x = y = torch.zeros(0)
            for (tasks, risks), row in zip(batches, noise, strict=True):
                x = torch.as_tensor(tasks, dtype=torch.float32)
                y = torch.as_tensor(risks, dtype=torch.float32)
                posterior = self._posterior(x, y)
                z = posterior.loc + posterior.scale * torch.as_tensor(row, dtype=torch.float32)
                predicted = self._decode(x, z[None, :])[0]
                loss = ((predicted - y) ** 2).sum() + kl_divergence(posterior, prior).sum()
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
            with torch.no_grad():
                posterior = self._posterior(x, y)
            self.prior = (posterior.loc, posterior.scale)
            self.context = (x, y)
            return float(loss.detach())

    def predict(
        self, tasks: NDArray[np.float64], noise: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Mean and standard deviation of the predicted risk of ``tasks`` (``n`` x ``n_dims``)
        over latents drawn with ``noise`` (``n_z`` x ``latent`` standard normal, ``n_z >= 2``)."""
        with one_thread(), torch.no_grad():
            if self.context is None:
                loc, scale = self.prior
            else:
                posterior = self._posterior(*self.context)
                loc, scale = posterior.loc, posterior.scale
            z = loc + scale * torch.as_tensor(noise, dtype=torch.float32)
            predictions = self._decode(torch.as_tensor(tasks, dtype=torch.float32), z)
            mean, std = predictions.mean(dim=0), predictions.std(dim=0)
        return mean.numpy().astype(np.float64), std.numpy().astype(np.float64)
