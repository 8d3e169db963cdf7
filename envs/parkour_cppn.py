"""The terrain generator of Parkour: a CPPN that maps an x position and a 3-D latent to the
heights of the ground and of the ceiling, in numpy.

TeachMyAgent (Romac, Portelas, Hofmann and Oudeyer, ICML 2021, "TeachMyAgent: a Benchmark for
Automatic Curriculum Learning in Deep RL") draws Parkour's terrain with a compositional
pattern-producing network (Stanley 2007): its input is ``[x, z1, z2, z3]`` for each of the
``N_POINTS`` terrain points, x evenly spaced in [0, 1] and ``z`` the task's latent, repeated;
4 hidden layers of 64 units (tanh, softplus, tanh, softplus), no biases, a linear output of 2
units (ground, ceiling) divided by ``OUTPUT_SCALE``.

TeachMyAgent's weights are an untrained TensorFlow 1 initialization (truncated normal, std 2)
saved in a checkpoint. Ours are a seeded initialization of the same law, stored with the
package in ``parkour_cppn_weights.npz`` (float64, so that no library version changes a
terrain). They were made by ``init_weights(WEIGHTS_SEED)``; the seed was chosen by
``python -m benchmarks.perf.parkour_terrains --select`` as the one of seeds 0..99 whose
terrains over the task space have the lowest median of their largest ground rise between two
terrain points, among those whose ceiling leaves a median gap of 2 m at least (random
initializations differ widely in how rugged they are). That script also draws the terrains the
latent space spans (``docs/parkour_terrains.png``). The terrains are of the same kind as
TeachMyAgent's, not the same ones.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

N_POINTS = 200  # terrain points drawn by the CPPN (TeachMyAgent's TERRAIN_LENGTH)
LATENT_DIM = 3
HIDDEN = 64
OUTPUT_SCALE = 10.0  # outputs are divided by this to give metres (TeachMyAgent's default)
WEIGHT_STD = 2.0
LATENT_BOUNDS = ((-0.35, 0.05), (0.6, 1.0), (-0.1, 0.3))  # TeachMyAgent's "medium" input space
WEIGHTS_SEED = 52
CHUNK = 40  # rows per matrix product (see TerrainCPPN.__call__)
WEIGHTS_FILE = Path(__file__).with_name("parkour_cppn_weights.npz")
LAYER_SHAPES = [(LATENT_DIM + 1, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, HIDDEN)]
LAYER_SHAPES += [(HIDDEN, 2)]


def _softplus(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.logaddexp(0.0, x)


def _tanh(x: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.tanh(x)


ACTIVATIONS: tuple[Callable[[NDArray[np.float64]], NDArray[np.float64]], ...] = (
    _tanh,
    _softplus,
    _tanh,
    _softplus,
)


def init_weights(seed: int) -> list[NDArray[np.float64]]:
    """The 5 weight matrices of a fresh CPPN: normal with std ``WEIGHT_STD``, values beyond 2
    std redrawn, as TensorFlow's ``truncated_normal`` does."""
    rng = np.random.default_rng(seed)
    weights = []
    for shape in LAYER_SHAPES:
        w = rng.normal(0.0, WEIGHT_STD, shape)
        outside = np.abs(w) > 2 * WEIGHT_STD
        while outside.any():
            w[outside] = rng.normal(0.0, WEIGHT_STD, int(outside.sum()))
            outside = np.abs(w) > 2 * WEIGHT_STD
        weights.append(w)
    return weights


def save_weights(weights: list[NDArray[np.float64]], path: Path = WEIGHTS_FILE) -> None:
    np.savez(path, *weights)


class TerrainCPPN:
    """Ground and ceiling heights from a latent: ``cppn(z)`` is ``N_POINTS`` x 2 (metres,
    before the env aligns them with its start pad).

    Args:
        weights: the 5 matrices (shapes ``LAYER_SHAPES``); default: the package's file.
    """

    def __init__(self, weights: list[NDArray[np.float64]] | None = None) -> None:
        if weights is None:
            with np.load(WEIGHTS_FILE) as data:
                weights = [data[f"arr_{i}"] for i in range(len(LAYER_SHAPES))]
        shapes = [w.shape for w in weights]
        if shapes != LAYER_SHAPES:
            raise ValueError(f"CPPN weights must have shapes {LAYER_SHAPES}, got {shapes}")
        self.weights = [np.asarray(w, dtype=np.float64) for w in weights]
        # x's contribution to the first layer is the same for every latent: computed once.
        x = np.linspace(0.0, 1.0, N_POINTS)
        self._x_part = np.outer(x, self.weights[0][0])

    def __call__(self, latent: ArrayLike) -> NDArray[np.float64]:
        z = np.asarray(latent, dtype=np.float64).reshape(LATENT_DIM)
        first = ACTIVATIONS[0](self._x_part + z @ self.weights[0][1:])
        # In blocks of CHUNK rows: OpenBLAS runs a 200 x 64 x 64 product on all its threads,
        # which on a loaded machine made one terrain take 50x longer than one thread does.
        blocks = []
        for start in range(0, N_POINTS, CHUNK):
            h = first[start : start + CHUNK]
            for w, activation in zip(self.weights[1:-1], ACTIVATIONS[1:], strict=True):
                h = activation(h @ w)
            blocks.append(h @ self.weights[-1])
        result: NDArray[np.float64] = np.concatenate(blocks) / OUTPUT_SCALE
        return result
