"""CLUTR's recurrent VAE over level token sequences: its network, training, saving and loading.

From Azad, Gur, Emhoff, Alexis, Faust, Abbeel and Stoica (ICML 2023), "CLUTR: Curriculum
Learning via Unsupervised Task Representation Learning", whose task VAE is the sentence VAE of
Bowman et al. (2016), "Generating Sentences from a Continuous Space": a bidirectional recurrent
encoder reads a level's tokens (:mod:`teachers.level_sequences`) into the mean and log-variance
of a Gaussian latent code; a recurrent decoder, given the code at every step, writes the tokens
back, one at a time, until an end token. It is trained without supervision on random levels
(the space's own random generator, fresh levels every batch), to minimize::

    recons_weight * cross_entropy(tokens) + kl_weight(step) * KL(q(z | level) || N(0, I))

with the KL weight annealed from 0 to 1 by ``(tanh((step - 0.35 * kl_anneal) / (0.1 *
kl_anneal)) + 1) / 2`` and the decoder's input embeddings dropped out, as the reference. Once
trained the VAE is frozen; the teacher decodes latent codes greedily (the reference's
deterministic decoding).

Defaults and where ours differ. The reference (CLUTR's ``task_embed/clutr_RVAE`` and
``scripts/train_vae.sh``): LSTMs (a 600-unit bidirectional encoder, a 2 x 800 decoder),
300-dimensional token embeddings, a 64-dimensional latent code, reconstruction weight 79, KL
annealing centred at step 3,500 over 1,000 steps, dropout 0.3, Adam at 5e-5 with batches of 32
for 1M steps on 10M random levels, on a GPU. Ours keeps the objective, the annealing (``kl_anneal
= 10_000`` gives the reference's 3,500 and 1,000), the reconstruction weight and the dropout, and
shrinks the rest to train on a CPU and ship with the package: GRUs (a 2 x 48 bidirectional
encoder, a 96-unit decoder), 32-dimensional embeddings, a 24-dimensional code, Adam at 1e-3 with
batches of 64 for a few thousand steps. The shipped maze model and how it was made:
``benchmarks/clutr_pretrain.py``.

Randomness: weights are initialized and dropout drawn inside ``torch.random.fork_rng`` from a
given seed, the levels from a numpy generator of the same seed, on one torch thread, so a seed
gives the same model on a machine; the global torch generator is left as it was.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import nn

from aclbench.teachers.level_sequences import LevelCodec
from aclbench.teachers.torch_threads import one_thread


@dataclass(frozen=True)
class VAEConfig:
    """The shape of a :class:`SequenceVAE`; saved with its weights."""

    vocab_size: int
    max_len: int
    embed: int = 32
    encoder_hidden: int = 48
    latent: int = 24
    decoder_hidden: int = 96


class SequenceVAE(nn.Module):
    """Bidirectional GRU encoder -> Gaussian latent code -> GRU decoder over tokens.

    Token ids: the codec's ``0 .. vocab_size - 1``, then ``eos``, ``bos`` (the decoder's first
    input) and ``pad``. The decoder predicts codec tokens and ``eos``.
    """

    def __init__(self, config: VAEConfig) -> None:
        super().__init__()
        self.config = config
        v = config.vocab_size
        self.eos, self.bos, self.pad = v, v + 1, v + 2
        self.embedding = nn.Embedding(v + 3, config.embed, padding_idx=self.pad)
        self.encoder = nn.GRU(
            config.embed, config.encoder_hidden, batch_first=True, bidirectional=True
        )
        self.to_mu = nn.Linear(2 * config.encoder_hidden, config.latent)
        self.to_logvar = nn.Linear(2 * config.encoder_hidden, config.latent)
        self.to_hidden = nn.Linear(config.latent, config.decoder_hidden)
        self.decoder = nn.GRU(config.embed + config.latent, config.decoder_hidden, batch_first=True)
        self.out = nn.Linear(config.decoder_hidden, v + 1)

    def batch(self, sequences: Sequence[Sequence[int]]) -> tuple[torch.Tensor, ...]:
        """Padded tensors of ``sequences`` (none empty): encoder input, lengths, decoder input
        (``bos`` then the tokens) and decoder target (the tokens then ``eos``; ``-100`` where
        padded)."""
        n, longest = len(sequences), max(len(s) for s in sequences)
        tokens = torch.full((n, longest), self.pad, dtype=torch.long)
        target = torch.full((n, longest + 1), -100, dtype=torch.long)
        lengths = torch.tensor([len(s) for s in sequences])
        for i, seq in enumerate(sequences):
            tokens[i, : len(seq)] = torch.as_tensor(list(seq), dtype=torch.long)
            target[i, : len(seq)] = tokens[i, : len(seq)]
            target[i, len(seq)] = self.eos
        bos = torch.full((n, 1), self.bos, dtype=torch.long)
        decoder_input = torch.cat([bos, tokens], dim=1)
        return tokens, lengths, decoder_input, target

    def encode(self, tokens: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Mean and log-variance of the latent code of each padded sequence."""
        embedded = self.embedding(tokens)
        if int(lengths.min()) < tokens.shape[1]:  # padded: the encoder must stop at each end
            embedded = nn.utils.rnn.pack_padded_sequence(
                embedded, lengths, batch_first=True, enforce_sorted=False
            )
        _, final = self.encoder(embedded)  # (2, batch, hidden): the two directions' last states
        context = torch.cat([final[0], final[1]], dim=1)
        return self.to_mu(context), self.to_logvar(context)

    def decoder_logits(
        self, z: torch.Tensor, decoder_input: torch.Tensor, dropout: float = 0.0
    ) -> torch.Tensor:
        """Logits of each next token, teacher-forced on ``decoder_input``."""
        embedded = F.dropout(self.embedding(decoder_input), dropout, self.training)
        steps = decoder_input.shape[1]
        inputs = torch.cat([embedded, z[:, None, :].expand(-1, steps, -1)], dim=2)
        hidden = torch.tanh(self.to_hidden(z))[None]
        output, _ = self.decoder(inputs, hidden)
        return self.out(output)

    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> list[list[int]]:
        """Greedy decoding of each latent code (rows of ``z``): tokens until ``eos``, at most
        ``max_len``."""
        n = z.shape[0]
        hidden = torch.tanh(self.to_hidden(z))[None]
        token = torch.full((n, 1), self.bos, dtype=torch.long)
        out = torch.empty((n, self.config.max_len), dtype=torch.long)
        for t in range(self.config.max_len):
            inputs = torch.cat([self.embedding(token), z[:, None, :]], dim=2)
            output, hidden = self.decoder(inputs, hidden)
            token = self.out(output).argmax(dim=2)
            out[:, t] = token[:, 0]
        sequences = []
        for row in out.tolist():
            end = row.index(self.eos) if self.eos in row else len(row)
            sequences.append(row[:end])
        return sequences

    def loss(
        self,
        sequences: Sequence[Sequence[int]],
        kl_weight: float,
        recons_weight: float,
        dropout: float,
    ) -> tuple[torch.Tensor, float, float]:
        """The training loss of a batch, its mean token cross-entropy and its mean KL."""
        tokens, lengths, decoder_input, target = self.batch(sequences)
        mu, logvar = self.encode(tokens, lengths)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.decoder_logits(z, decoder_input, dropout)
        cross_entropy = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))
        kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)).mean()
        loss = recons_weight * cross_entropy + kl_weight * kl
        return loss, float(cross_entropy.detach()), float(kl.detach())


def decode_codes(model: SequenceVAE, codes: NDArray[np.float64]) -> list[list[int]]:
    """Greedy decodes of latent codes (``n`` x ``latent``), on one torch thread."""
    with one_thread():
        return model.generate(torch.as_tensor(codes, dtype=torch.float32))


def kl_weight(step: int, kl_anneal: int) -> float:
    """The reference's KL annealing, stretched so that ``kl_anneal = 10_000`` is its own."""
    return (math.tanh((step - 0.35 * kl_anneal) / (0.1 * kl_anneal)) + 1.0) / 2.0


def train_vae(
    codec: LevelCodec,
    *,
    steps: int,
    seed: int = 0,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    recons_weight: float = 79.0,
    dropout: float = 0.3,
    kl_anneal: int = 10_000,
    config: VAEConfig | None = None,
    log: Callable[[int, float, float], None] | None = None,
    log_every: int = 500,
) -> SequenceVAE:
    """A VAE trained for ``steps`` batches of fresh random levels of ``codec``; ``log(step,
    cross_entropy, kl)`` is called every ``log_every`` steps."""
    config = config or VAEConfig(codec.vocab_size, codec.max_len)
    rng = np.random.default_rng(seed)
    with one_thread(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SequenceVAE(config)
        optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
        model.train()
        for step in range(steps):
            sequences = [codec.encode(codec.sample(rng)) for _ in range(batch_size)]
            loss, cross_entropy, kl = model.loss(
                sequences, kl_weight(step, kl_anneal), recons_weight, dropout
            )
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            if log is not None and (step % log_every == 0 or step == steps - 1):
                log(step, cross_entropy, kl)
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model


def save_vae(model: SequenceVAE, path: str | os.PathLike[str], codec_key: str) -> None:
    """Save the weights, the shape and the codec's key: tensors, numbers and strings only,
    which ``torch.load(weights_only=True)`` reads back without running any pickled code."""
    state = {
        "codec_key": codec_key,
        "config": asdict(model.config),
        "weights": {k: v.detach().clone() for k, v in model.state_dict().items()},
    }
    torch.save(state, path)


def load_vae(path: str | os.PathLike[str]) -> tuple[SequenceVAE, str]:
    """A frozen model saved by :func:`save_vae`, and the key of the codec it was trained for."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    model = SequenceVAE(VAEConfig(**state["config"]))
    model.load_state_dict(state["weights"])
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model, str(state["codec_key"])


def reconstruction_scores(
    model: SequenceVAE, codec: LevelCodec, tasks: Sequence[NDArray[np.float64]]
) -> dict[str, float]:
    """How well ``model`` writes back held-out ``tasks`` from their mean latent codes.

    ``jaccard``: mean Jaccard similarity between each task's token set and that of its
    reconstruction; ``jaccard_shuffled``: the same against another task's reconstruction
    (chance: a model that ignores its input scores the same on both); ``first_tokens``: the
    fraction of reconstructions whose first two tokens (the maze's goal and agent) are exact.
    """
    sequences = [codec.encode(task) for task in tasks]
    with one_thread(), torch.no_grad():
        tokens, lengths, _, _ = model.batch(sequences)
        mu, _ = model.encode(tokens, lengths)
        decoded = model.generate(mu)

    def jaccard(a: Sequence[int], b: Sequence[int]) -> float:
        sa, sb = set(a), set(b)
        return len(sa & sb) / max(len(sa | sb), 1)

    n = len(sequences)
    own = [jaccard(s, d) for s, d in zip(sequences, decoded)]
    other = [jaccard(sequences[i], decoded[(i + 1) % n]) for i in range(n)]
    first = [list(d[:2]) == list(s[:2]) for s, d in zip(sequences, decoded)]
    return {
        "jaccard": float(np.mean(own)),
        "jaccard_shuffled": float(np.mean(other)),
        "first_tokens": float(np.mean(first)),
    }
