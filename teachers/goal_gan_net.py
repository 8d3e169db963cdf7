"""The GoalGAN teacher's LSGAN over tasks; the only module of ``goal-gan`` importing torch.

Tasks are given and returned in generator coordinates: ``unit - 0.5`` for a task of the unit
cube, so in ``[-0.5, 0.5]``, while the generator's ``tanh`` output spans ``[-1, 1]`` (the scaling
of TeachMyAgent's ``StateGAN``, whose teacher clips what falls outside the space).

Least-squares GAN with labels (Florensa et al. 2018, eq. 5): the discriminator regresses
``+1`` on positive tasks (goals of intermediate difficulty), ``-1`` on negative ones and on
generated tasks; the generator is trained so that the discriminator outputs ``+1`` on what it
generates. Each training iteration takes one discriminator step on a batch of ``batch_size``
labelled tasks (taken in order, wrapping around) plus as many generated ones, then one
generator step on the same noise, as TeachMyAgent's ``FCGAN.train`` with one discriminator and
one generator iteration per outer iteration.

Randomness: the weights are initialized from a seed drawn by the teacher, inside
``torch.random.fork_rng`` so the global torch generator is left as it was; the noise fed to the
generator comes from the numpy generator the caller passes, so the teacher's ``rng`` holds all
the randomness and the default deep-copying ``state_dict`` captures the networks and optimizers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from aclbench.teachers.torch_threads import one_thread


def _mlp(sizes: Sequence[int], activation: type[nn.Module], out: nn.Module | None) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        nn.init.xavier_uniform_(linear.weight)  # TF's Glorot uniform, as the reference
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers.append(activation())
    if out is not None:
        layers.append(out)
    return nn.Sequential(*layers)


class _LeakyReLU(nn.LeakyReLU):
    def __init__(self) -> None:
        super().__init__(0.2)


class TaskGAN:
    """Generator (noise -> task) and discriminator (task -> score), trained as an LSGAN.

    Args:
        n_dims: task dimensions (generator output, discriminator input).
        noise_dim: generator input size.
        seed: initializes the weights.
        generator_hidden: widths of the generator's ReLU hidden layers.
        discriminator_hidden: widths of the discriminator's leaky-ReLU (0.2) hidden layers.
        learning_rate: RMSProp step size of both networks.
        batch_size: labelled (and generated) tasks per discriminator step.
    """

    def __init__(
        self,
        n_dims: int,
        noise_dim: int,
        *,
        seed: int,
        generator_hidden: Sequence[int] = (256, 256),
        discriminator_hidden: Sequence[int] = (128, 128),
        learning_rate: float = 1e-3,
        batch_size: int = 64,
    ) -> None:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.generator = _mlp([noise_dim, *generator_hidden, n_dims], nn.ReLU, nn.Tanh())
            self.discriminator = _mlp([n_dims, *discriminator_hidden, 1], _LeakyReLU, None)
        # TF1's RMSProp decays its average of squared gradients by 0.9 (torch's default: 0.99)
        self.generator_optimizer = torch.optim.RMSprop(
            self.generator.parameters(), lr=learning_rate, alpha=0.9
        )
        self.discriminator_optimizer = torch.optim.RMSprop(
            self.discriminator.parameters(), lr=learning_rate, alpha=0.9
        )
        self.noise_dim, self.batch_size = noise_dim, batch_size

    def generate(self, noise: NDArray[np.float64]) -> NDArray[np.float64]:
        """Generator outputs, ``n`` x ``n_dims`` in ``[-1, 1]``, for noise ``n`` x ``noise_dim``."""
        with torch.no_grad():
            out = self.generator(torch.as_tensor(noise, dtype=torch.float32))
        return out.numpy().astype(np.float64)

    def train(
        self,
        tasks: NDArray[np.float64],
        labels: NDArray[np.bool_],
        iterations: int,
        rng: np.random.Generator,
    ) -> tuple[float, float]:
        """``iterations`` LSGAN steps on ``tasks`` (``n`` x ``n_dims``, generator coordinates)
        labelled ``labels`` (``n`` booleans); returns the last discriminator and generator
        losses."""
        with one_thread():  # batches of 64 rows
            n, batch = len(tasks), self.batch_size
            real_x = torch.as_tensor(tasks, dtype=torch.float32)
            real_y = torch.as_tensor(np.where(labels, 1.0, -1.0), dtype=torch.float32)[:, None]
            fake_y = -torch.ones(batch, 1)
            start = 0
            d_loss = g_loss = torch.tensor(0.0)
            for _ in range(iterations):
                rows = np.arange(start, start + batch) % n if n > batch else np.arange(n)
                start = (start + batch) % n
                noise = torch.as_tensor(
                    rng.standard_normal((batch, self.noise_dim)), dtype=torch.float32
                )
                with torch.no_grad():
                    fake_x = self.generator(noise)
                x = torch.cat([real_x[rows], fake_x])
                target = torch.cat([real_y[rows], fake_y])
                d_loss = torch.mean((target - self.discriminator(x)) ** 2)
                self.discriminator_optimizer.zero_grad()
                d_loss.backward()
                self.discriminator_optimizer.step()

                g_loss = torch.mean((self.discriminator(self.generator(noise)) - 1.0) ** 2)
                self.generator_optimizer.zero_grad()
                g_loss.backward()
                self.generator_optimizer.step()
            return float(d_loss.detach()), float(g_loss.detach())
