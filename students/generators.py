"""The process-wide random generators a neural student draws from, for its checkpoints.

SB3 samples actions, minibatches and exploration noise from torch's (on a GPU, CUDA's), numpy's
and Python's global generators, so continuing a run exactly means restoring all of them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch


def global_generator_states() -> dict[str, Any]:
    """The states of torch's CPU generator, of every CUDA device's (where this process has
    started CUDA, under ``"torch_cuda"``), and of numpy's and Python's global generators;
    picklable. A process that never started CUDA drew nothing from its generators, and reading
    them would start it: a CUDA context per CPU run on a GPU machine."""
    states: dict[str, Any] = {
        "torch": torch.get_rng_state(),
        "numpy": np.random.get_state(),
        "random": random.getstate(),
    }
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states["torch_cuda"] = torch.cuda.get_rng_state_all()
    return states


def restore_global_generators(states: Mapping[str, Any]) -> None:
    """Restore :func:`global_generator_states`'s ``states``.

    The CUDA generators are restored only where the states have them and this process sees as
    many CUDA devices; otherwise (a GPU checkpoint resumed on a CPU, or on another number of
    GPUs) they are left as they are: the run goes on, but no longer bit for bit.
    """
    torch.set_rng_state(states["torch"])
    np.random.set_state(states["numpy"])
    random.setstate(states["random"])
    cuda = states.get("torch_cuda")
    if cuda is not None and torch.cuda.is_available() and torch.cuda.device_count() == len(cuda):
        torch.cuda.set_rng_state_all(cuda)
