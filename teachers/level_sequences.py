"""Levels as token sequences: what CLUTR's recurrent VAE reads and writes.

CLUTR (Azad et al., ICML 2023) learns its latent task space with a recurrent VAE over tasks
written as sequences of integer tokens, as a language VAE reads sentences. A
:class:`LevelCodec` is that writing: ``encode`` turns a task into tokens (each in
``[0, vocab_size)``, at most ``max_len`` of them), ``decode`` turns any token sequence, such as
the VAE's greedy output, back into a valid task, repairing what is not one.

Where a codec comes from: a task space with structured levels offers its own through a
``level_sequence()`` method (the maze's goal, agent, then its walls in order:
:mod:`envs.maze_sequence`); any other task space gets a :class:`VectorCodec`, one token per
dimension. Teachers never import envs: :func:`codec_for` finds the method by name, as
:func:`teachers.level_builders.builder_for` finds a space's level builder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.level_builders import choices_per_dimension


class LevelCodec(Protocol):
    """Tasks of one space written as sequences of tokens in ``[0, vocab_size)``.

    ``key`` names the codec and the distribution ``sample`` draws from, so that a pretrained
    model can be matched to the space it was trained for. ``sample(rng)`` is a random task (the
    unsupervised training data); ``encode(task)`` its tokens, at most ``max_len``;
    ``decode(tokens, rng)`` a valid task for any tokens (too few, too many, repeated), drawing
    from ``rng`` what the tokens leave open; ``decode(encode(t), rng)`` is ``t`` wherever the
    encoding is complete (the maze draws the agent's direction).
    """

    key: str
    vocab_size: int
    max_len: int

    def sample(self, rng: np.random.Generator) -> Task: ...

    def encode(self, task: Task) -> list[int]: ...

    def decode(self, tokens: Sequence[int], rng: np.random.Generator) -> Task: ...


class VectorCodec:
    """One token per dimension of any :class:`TaskSpace`, in the space's order.

    A discrete dimension's token is its value's index; a continuous dimension's is the index of
    one of ``bins`` equal intervals of its range, decoded to a uniform draw inside it (as
    :class:`~teachers.level_builders.VectorBuilder`). Missing tokens are drawn uniformly, tokens
    past a dimension's choices wrap around, extra tokens are ignored.
    """

    def __init__(self, task_space: TaskSpace, bins: int = 20) -> None:
        self.space = task_space
        self.choices = choices_per_dimension(task_space, bins)
        self.vocab_size = int(self.choices.max())
        self.max_len = len(task_space)
        self.key = f"vector:{task_space!r}:bins={bins}"

    def sample(self, rng: np.random.Generator) -> Task:
        return self.space.sample(rng)

    def encode(self, task: Task) -> list[int]:
        space = self.space
        span = np.where(space.high > space.low, space.high - space.low, 1.0)
        unit = (np.asarray(task, dtype=np.float64) - space.low) / span
        binned = np.minimum((unit * self.choices).astype(int), self.choices - 1)
        index = np.where(space.discrete, np.rint(task - space.low), binned).astype(int)
        return index.tolist()

    def decode(self, tokens: Sequence[int], rng: np.random.Generator) -> Task:
        space = self.space
        picked = np.array(list(tokens[: self.max_len]), dtype=int)
        drawn = rng.integers(self.choices)  # one draw per dimension, used where tokens run out
        index = np.concatenate([picked, drawn[len(picked) :]]) % self.choices
        jitter = rng.random(self.max_len)
        continuous = space.low + (index + jitter) / self.choices * (space.high - space.low)
        return space.clip(np.where(space.discrete, space.low + index, continuous))


def codec_for(task_space: TaskSpace, bins: int = 20) -> LevelCodec:
    """The space's own ``level_sequence()`` if it has one, else a :class:`VectorCodec` with
    ``bins`` intervals per continuous dimension."""
    make = getattr(task_space, "level_sequence", None)
    return make() if callable(make) else VectorCodec(task_space, bins)
