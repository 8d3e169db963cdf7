"""Parkour's track from a task: ground, ceiling, creepers and the water surface, as arrays.

Facts from TeachMyAgent's Parkour (Romac et al., ICML 2021): a flat start pad of 20 terrain
steps (14/30 m each), then the ``N_POINTS`` heights of the CPPN (:mod:`envs.parkour_cppn`),
shifted so that the ground starts at the pad's height and the ceiling 20 m above it
(TeachMyAgent's ``ceiling_offset`` 200 over its CPPN scale 10), the ceiling never below the
ground; water fills the track from y = -100 m up to ``water_level`` of the way to the highest
ceiling point (a level of 0 is kept at 0.01); creepers 0.25 m wide hang from the ceiling, one
terrain point out of every ``1 + ceil(spacing / step)``, each ``max(0.2, N(creepers_height,
0.1))`` m long, from the higher of the two ceiling points they span.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aclbench.envs.parkour_cppn import N_POINTS, TerrainCPPN

SCALE = 30.0  # pixels per metre (BipedalWalker's)
TERRAIN_STEP = 14 / SCALE
TERRAIN_HEIGHT = 400 / SCALE / 4  # height of the start pad
STARTPAD = 20  # terrain points before the CPPN's
FINISH_MARGIN = 5  # terrain points before the end where an episode is won
CEILING_OFFSET = 20.0  # metres from the pad's ground to its ceiling
GROUND_LIMIT, CEILING_LIMIT = -100.0, 100.0  # bottom of the water, top of the drawn ceiling
CREEPER_WIDTH, CREEPER_MIN, CREEPER_STD = 0.25, 0.2, 0.1
MIN_WATER_LEVEL, MIN_SPACING = 0.01, 0.01


@dataclass(frozen=True)
class ParkourLayout:
    """One track. ``x``, ``ground``, ``ceiling``: ``n_points`` heights (metres);
    ``creepers``: ``n_creepers`` x 4 boxes (left x, right x, top y, bottom y); ``water_y``:
    height of the water surface."""

    x: NDArray[np.float64]
    ground: NDArray[np.float64]
    ceiling: NDArray[np.float64]
    creepers: NDArray[np.float64]
    water_y: float

    @property
    def finish_x(self) -> float:
        """Reaching it ends the episode (won)."""
        return float(self.x[-1] - (FINISH_MARGIN - 1) * TERRAIN_STEP)


def generate_layout(
    cppn: TerrainCPPN,
    rng: np.random.Generator,
    latent: NDArray[np.float64],
    water_level: float,
    creepers_height: float,
    creepers_spacing: float,
    startpad: int = STARTPAD,
) -> ParkourLayout:
    """The track of a task; ``rng`` draws the creepers' lengths."""
    heights = cppn(latent)
    ground = heights[:, 0] - heights[0, 0] + TERRAIN_HEIGHT
    ceiling = heights[:, 1] - heights[0, 1] + TERRAIN_HEIGHT + CEILING_OFFSET
    ceiling = np.maximum(ceiling, ground)
    x = np.arange(startpad + N_POINTS, dtype=np.float64) * TERRAIN_STEP
    ground = np.r_[np.full(startpad, TERRAIN_HEIGHT), ground]
    ceiling = np.r_[np.full(startpad, TERRAIN_HEIGHT + CEILING_OFFSET), ceiling]

    every = 1 + max(1, math.ceil(max(creepers_spacing, MIN_SPACING) / TERRAIN_STEP - 1e-9))
    starts = np.arange(0, len(x) - 1, every)
    lengths = np.maximum(CREEPER_MIN, rng.normal(creepers_height, CREEPER_STD, len(starts)))
    tops = np.maximum(ceiling[starts], ceiling[starts + 1])
    creepers = np.column_stack([x[starts], x[starts] + CREEPER_WIDTH, tops, tops - lengths])

    level = max(MIN_WATER_LEVEL, water_level)
    water_y = GROUND_LIMIT + level * (float(ceiling.max()) - GROUND_LIMIT)
    return ParkourLayout(x, ground, ceiling, creepers, water_y)
