"""The Setter-Solver teacher's networks; the only module of ``setter-solver`` importing torch.

Racanière, Lampinen, Santoro, Reichert, Firoiu and Lillicrap (ICLR 2020), "Automated curricula
through setter-solver interactions", as TeachMyAgent (Romac et al., ICML 2021) ported it to
task spaces:

- the **setter** is a conditional RealNVP flow (Dinh et al. 2017) from a standard normal latent
  to goals of the unit cube, conditioned on a desired feasibility ``f``: ``n_blocks`` blocks of
  three affine couplings each (the first half of the coordinates conditioning the second, the
  second the first, the odd ones the even ones), whose scale and translation are highway
  networks (Zilly et al. 2017: a tanh layer, then ``n_highway`` gated blocks) of the untouched
  coordinates and ``f``; the scale is ``0.01 + softplus(s)`` (as the authors' code, which
  replaces RealNVP's ``exp(s)`` for stability), and a sigmoid maps the last latent to the
  cube, so the density of a goal is exact;
- the **judge** is an MLP (ReLU) giving the logit of the probability that the solver succeeds
  on a goal, trained by cross-entropy on the successes seen.

The setter's loss is the sum of the paper's three: *validity*, ``-log p(g | f)`` of the goals
the solver achieved (plus uniform noise in ``[0, noise_ub]``, so the density cannot collapse on
them), each with the feasibility it was set with; *feasibility*, ``(judge(setter(z, f)) -
logit(f))^2``, so that a goal set for ``f`` is judged feasible with probability ``f`` (the
judge's weights are not updated by it); *coverage*, the mean ``log p`` of the setter's own goals,
whose minimum is the most spread-out setter. Both networks use Adam with learning rate
``3e-4``.

A coupling is written with a mask over the coordinates rather than by splitting them, so that a
1-D task space (one half empty) needs no special case: the networks see the conditioning
coordinates (the others zeroed) and ``f``, and only the unmasked coordinates move.

Randomness: the weights are initialized from a seed the teacher draws, inside
``torch.random.fork_rng``; latents, feasibilities and noise come as numpy arrays from the
teacher's generator. So the teacher's ``rng`` holds all the randomness and the default
deep-copying ``state_dict`` captures networks and optimizers exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - torch's convention
from numpy.typing import NDArray
from torch import nn

from aclbench.teachers.torch_threads import one_thread

MIN_SCALE = 1e-2
"""Least scale of an affine coupling: keeps the inverse from blowing up."""
GOAL_CLIP = 1e-4
"""Goals are kept this far inside the cube when their density is computed (logit finite)."""


def _linear(n_in: int, n_out: int) -> nn.Linear:
    """A linear layer initialized as Sonnet's (the authors' library): weights from a normal
    truncated at two standard deviations, ``1 / sqrt(n_in)``, biases zero."""
    layer = nn.Linear(n_in, n_out)
    std = 1.0 / math.sqrt(n_in)
    nn.init.trunc_normal_(layer.weight, std=std, a=-2 * std, b=2 * std)
    nn.init.zeros_(layer.bias)
    return layer


class Highway(nn.Module):
    """``n_in -> hidden`` (tanh), ``n_blocks`` highway blocks, ``-> n_out`` (linear)."""

    def __init__(self, n_in: int, n_out: int, hidden: int, n_blocks: int) -> None:
        super().__init__()
        self.inp = _linear(n_in, hidden)
        self.gates = nn.ModuleList(_linear(hidden, 2 * hidden) for _ in range(n_blocks))
        self.out = _linear(hidden, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.tanh(self.inp(x))
        for gate in self.gates:
            candidate, carry = gate(y).chunk(2, dim=-1)
            y = y + (torch.tanh(candidate) - y) * torch.sigmoid(carry)
        return self.out(y)


class Coupling(nn.Module):
    """An affine coupling: coordinates outside ``mask`` are scaled and shifted by functions
    of those inside it and of the condition."""

    mask: torch.Tensor

    def __init__(self, mask: NDArray[np.bool_], hidden: int, n_highway: int) -> None:
        super().__init__()
        n = len(mask)
        self.register_buffer("mask", torch.as_tensor(mask, dtype=torch.float32))
        self.scale = Highway(n + 1, n, hidden, n_highway)
        self.shift = Highway(n + 1, n, hidden, n_highway)

    def _scale_shift(self, z: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = torch.cat([z * self.mask, f], dim=-1)
        return MIN_SCALE + F.softplus(self.scale(inputs)), self.shift(inputs)

    def forward(self, z: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Latent to goal side; returns the output and ``log |det|`` per row."""
        scale, shift = self._scale_shift(z, f)
        moved = 1.0 - self.mask
        out = self.mask * z + moved * (z * scale + shift)
        return out, (moved * torch.log(scale)).sum(dim=-1)

    def inverse(self, y: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Goal to latent side; returns the input and the forward ``log |det|`` per row."""
        scale, shift = self._scale_shift(y, f)  # the masked coordinates did not move
        moved = 1.0 - self.mask
        z = self.mask * y + moved * (y - shift) / scale
        return z, (moved * torch.log(scale)).sum(dim=-1)


def coupling_masks(n_dims: int) -> list[NDArray[np.bool_]]:
    """The conditioning coordinates of one block's three couplings: the first half, the
    second half, the odd ones (the authors' left-to-right, right-to-left and interlaced)."""
    index = np.arange(n_dims)
    half = n_dims // 2
    return [index < half, index >= half, index % 2 == 1]


class Setter(nn.Module):
    """The conditional flow ``(z, f) -> goal`` in the open unit cube, with exact densities."""

    def __init__(self, n_dims: int, hidden: int, n_blocks: int, n_highway: int) -> None:
        super().__init__()
        masks = coupling_masks(n_dims) * n_blocks
        self.couplings = nn.ModuleList(Coupling(m, hidden, n_highway) for m in masks)

    def sample(self, z: torch.Tensor, f: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Goals for latents ``z`` and feasibilities ``f`` (``n`` x 1), and their log
        densities (up to the constant of the normal's, which no loss needs)."""
        log_p = -0.5 * (z**2).sum(dim=-1)
        for coupling in self.couplings:
            z, log_det = coupling(z, f)
            log_p = log_p - log_det
        log_p = log_p - (F.logsigmoid(z) + F.logsigmoid(-z)).sum(dim=-1)  # the sigmoid's
        return torch.sigmoid(z), log_p

    def log_prob(self, goals: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
        """Log densities of ``goals`` (in the open unit cube) given feasibilities ``f``."""
        y = torch.logit(goals.clamp(GOAL_CLIP, 1.0 - GOAL_CLIP))
        log_p = -(F.logsigmoid(y) + F.logsigmoid(-y)).sum(dim=-1)
        for coupling in reversed(self.couplings):
            y, log_det = cast(Coupling, coupling).inverse(y, f)
            log_p = log_p - log_det
        return log_p - 0.5 * (y**2).sum(dim=-1)


class SetterJudge:
    """The setter and the judge, their optimizers, and one training round.

    Args:
        n_dims: task dimensions.
        seed: initializes the weights.
        setter_hidden: width of the setter's highway networks.
        n_blocks: blocks of three couplings in the setter.
        n_highway: highway blocks per scale or translation network.
        judge_hidden: widths of the judge's ReLU hidden layers.
        learning_rate: Adam's step size, both networks.
    """

    def __init__(
        self,
        n_dims: int,
        *,
        seed: int,
        setter_hidden: int,
        n_blocks: int,
        n_highway: int,
        judge_hidden: Sequence[int],
        learning_rate: float,
    ) -> None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.setter = Setter(n_dims, setter_hidden, n_blocks, n_highway)
            sizes = [n_dims, *judge_hidden, 1]
            layers: list[nn.Module] = []
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                layers.append(_linear(n_in, n_out))
                if i < len(sizes) - 2:
                    layers.append(nn.ReLU())
            self.judge = nn.Sequential(*layers)
        self.setter_optimizer = torch.optim.Adam(self.setter.parameters(), lr=learning_rate)
        self.judge_optimizer = torch.optim.Adam(self.judge.parameters(), lr=learning_rate)

    def sample(
        self, latents: NDArray[np.float64], feasibilities: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Goals of the unit cube, ``n`` x ``n_dims``, for latents and feasibilities (``n``)."""
        with torch.no_grad(), one_thread():
            goals, _ = self.setter.sample(_tensor(latents), _tensor(feasibilities)[:, None])
        return goals.numpy().astype(np.float64)

    def feasibility(self, goals: NDArray[np.float64]) -> NDArray[np.float64]:
        """The judge's probability of success on each goal (unit cube, ``n`` x ``n_dims``)."""
        with torch.no_grad(), one_thread():
            return torch.sigmoid(self.judge(_tensor(goals))[:, 0]).numpy().astype(np.float64)

    def train(
        self,
        goals: NDArray[np.float64],
        successes: NDArray[np.bool_],
        latents: NDArray[np.float64],
        feasibilities: NDArray[np.float64],
        achieved: NDArray[np.float64],
        achieved_feasibilities: NDArray[np.float64],
        steps: int,
    ) -> dict[str, float]:
        """``steps`` Adam steps of the judge on ``(goals, successes)``, then ``steps`` of the
        setter on its three losses: coverage and feasibility on its own goals for ``latents``
        and ``feasibilities`` (the proposals that were played), validity on the ``achieved``
        goals (noise already added) set with ``achieved_feasibilities``. Returns the last
        losses."""
        losses: dict[str, float] = {}
        with one_thread():
            x, y = _tensor(goals), _tensor(successes.astype(np.float64))[:, None]
            for _ in range(steps):
                judge_loss = F.binary_cross_entropy_with_logits(self.judge(x), y)
                self.judge_optimizer.zero_grad()
                judge_loss.backward()
                self.judge_optimizer.step()
            losses["judge"] = float(judge_loss.detach())
            if len(latents) == 0:
                return losses
            z, f = _tensor(latents), _tensor(feasibilities)[:, None]
            target = torch.logit(f)
            g, g_f = _tensor(achieved), _tensor(achieved_feasibilities)[:, None]
            for _ in range(steps):
                own, log_p = self.setter.sample(z, f)
                feasibility = torch.mean((self.judge(own) - target) ** 2)
                coverage = torch.mean(log_p)
                validity = -torch.mean(self.setter.log_prob(g, g_f)) if len(g) else coverage * 0
                loss = validity + feasibility + coverage
                self.setter_optimizer.zero_grad()
                loss.backward()
                self.setter_optimizer.step()
            losses.update(
                validity=float(validity.detach()),
                feasibility=float(feasibility.detach()),
                coverage=float(coverage.detach()),
            )
        return losses


def _tensor(array: NDArray[np.float64]) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array), dtype=torch.float32)
