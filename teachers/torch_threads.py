"""Torch settings shared by the teachers that train a network (PAIRED's adversary, GoalGAN)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block on one torch thread: a teacher's batches are a few hundred rows at most,
    where intra-op threads only contend with each other and with the student's."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
