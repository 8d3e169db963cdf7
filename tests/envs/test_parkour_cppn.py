"""Parkour's terrain CPPN and track layout: the architecture, the stored weights, the facts of
the track (start pad, ceiling offset, creepers, water)."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench.envs.parkour_cppn import (
    LAYER_SHAPES,
    N_POINTS,
    WEIGHTS_SEED,
    TerrainCPPN,
    init_weights,
)
from aclbench.envs.parkour_terrain import (
    CEILING_OFFSET,
    CREEPER_WIDTH,
    GROUND_LIMIT,
    STARTPAD,
    TERRAIN_HEIGHT,
    TERRAIN_STEP,
    generate_layout,
)


def test_stored_weights_are_the_documented_seeded_initialization():
    stored = TerrainCPPN().weights
    for w, fresh in zip(stored, init_weights(WEIGHTS_SEED), strict=True):
        np.testing.assert_array_equal(w, fresh)
    assert [w.shape for w in stored] == LAYER_SHAPES
    assert max(np.abs(w).max() for w in stored) <= 4.0  # truncated at 2 std of 2


def test_network_is_tanh_softplus_tanh_softplus_without_biases():
    """With weights that pass one unit through, the output is the composition by hand."""
    weights = [np.zeros(shape) for shape in LAYER_SHAPES]
    weights[0][0, 0] = 1.0  # x -> unit 0
    weights[0][1, 0] = 2.0  # z1 -> unit 0
    for w in weights[1:4]:
        w[0, 0] = 1.0
    weights[4][0, 0], weights[4][0, 1] = 10.0, -20.0
    out = TerrainCPPN(weights)([0.5, 0.0, 0.0])
    x = np.linspace(0, 1, N_POINTS)

    def softplus(v):
        return np.log1p(np.exp(v))

    unit = softplus(np.tanh(softplus(np.tanh(x + 1.0))))
    np.testing.assert_allclose(out[:, 0], unit * 10.0 / 10.0)
    np.testing.assert_allclose(out[:, 1], unit * -20.0 / 10.0)
    assert out.shape == (N_POINTS, 2)


def test_layout_follows_teachmyagent():
    cppn, rng = TerrainCPPN(), np.random.default_rng(0)
    layout = generate_layout(cppn, rng, np.array([-0.15, 0.8, 0.1]), 0.0, 2.0, 1.0)
    assert len(layout.x) == STARTPAD + N_POINTS
    np.testing.assert_allclose(np.diff(layout.x), TERRAIN_STEP)
    assert np.all(layout.ground[: STARTPAD + 1] == TERRAIN_HEIGHT)  # CPPN aligned with the pad
    assert layout.ceiling[0] == TERRAIN_HEIGHT + CEILING_OFFSET
    assert np.all(layout.ceiling >= layout.ground)
    left, right, top, bottom = layout.creepers.T
    np.testing.assert_allclose(right - left, CREEPER_WIDTH)
    assert np.mean(top - bottom) == pytest.approx(2.0, abs=0.05)
    # spacing 1 m: a creeper every 1 + ceil(1 / step) = 4 terrain points
    np.testing.assert_allclose(np.diff(left), 4 * TERRAIN_STEP)
    assert layout.water_y == pytest.approx(GROUND_LIMIT + 0.01 * (layout.ceiling.max() + 100))
    full = generate_layout(cppn, rng, np.array([-0.15, 0.8, 0.1]), 1.0, 0.0, 0.0)
    assert full.water_y == pytest.approx(full.ceiling.max())
    assert np.all(full.creepers[:, 2] - full.creepers[:, 3] >= 0.2 - 1e-9)  # 0.2 m long at least
    np.testing.assert_allclose(np.diff(full.creepers[:, 0]), 2 * TERRAIN_STEP)


def test_latent_changes_the_terrain():
    cppn = TerrainCPPN()
    a, b = cppn([-0.35, 0.6, -0.1]), cppn([0.05, 1.0, 0.3])
    assert np.abs(a - b).max() > 1.0
    np.testing.assert_array_equal(cppn([-0.35, 0.6, -0.1]), a)
