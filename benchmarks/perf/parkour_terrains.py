"""The terrains that Parkour's CPPN spans over its latent space, and how its weights were chosen.

Default: draw a 3 x 3 grid of tracks (rows: ``latent_0`` at its low, middle and high bound;
columns: ``latent_1`` likewise; in each panel ``latent_2`` at its three values, the middle one
filled: ground below, ceiling above) into ``docs/parkour_terrains.png``.

``--select``: for every seed of ``--seeds``, initialize a CPPN (``init_weights(seed)``), draw
the terrains of ``--tasks`` uniform latents and print the seeds whose median ceiling gap is
2 m at least, smoothest first (median of each terrain's largest ground rise between two
terrain points); ``--write`` stores the best one's weights as the package's weights file.

    python -m benchmarks.perf.parkour_terrains [--out docs/parkour_terrains.png]
    python -m benchmarks.perf.parkour_terrains --select [--write]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from aclbench.envs.parkour_cppn import LATENT_BOUNDS, TerrainCPPN, init_weights, save_weights
from aclbench.envs.parkour_terrain import generate_layout

MIN_GAP = 2.0  # metres: a median ceiling gap below this closes too many tracks


def terrain_stats(cppn: TerrainCPPN, latents: np.ndarray) -> np.ndarray:
    """Per latent: largest ground rise between two points, smallest ceiling gap (metres)."""
    rows = []
    for z in latents:
        heights = cppn(z)
        ground = heights[:, 0] - heights[0, 0]
        ceiling = np.maximum(heights[:, 1] - heights[0, 1] + 20.0, ground)
        rows.append([np.diff(ground).max(), (ceiling - ground).min()])
    return np.array(rows)


def select(seeds: range, n_tasks: int, write: bool) -> None:
    low, high = np.array(LATENT_BOUNDS).T
    latents = np.random.default_rng(1).uniform(low, high, (n_tasks, len(low)))
    table = []
    for seed in seeds:
        rise, gap = np.median(terrain_stats(TerrainCPPN(init_weights(seed)), latents), axis=0)
        table.append((seed, rise, gap))
    kept = sorted((row for row in table if row[2] >= MIN_GAP), key=lambda row: row[1])
    print(f"{'seed':>5} {'median largest rise (m)':>24} {'median smallest gap (m)':>24}")
    for seed, rise, gap in kept[:10]:
        print(f"{seed:>5} {rise:>24.2f} {gap:>24.2f}")
    if write:
        save_weights(init_weights(kept[0][0]))
        print(f"wrote the weights of seed {kept[0][0]}")


def draw(out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cppn, rng = TerrainCPPN(), np.random.default_rng(0)
    (l0, h0), (l1, h1), (l2, h2) = LATENT_BOUNDS
    fig, axes = plt.subplots(3, 3, figsize=(12, 7), sharex=True, sharey=True)
    for row, z0 in enumerate(np.linspace(l0, h0, 3)):
        for col, z1 in enumerate(np.linspace(l1, h1, 3)):
            ax = axes[row, col]
            for k, z2 in enumerate(np.linspace(l2, h2, 3)):
                layout = generate_layout(cppn, rng, np.array([z0, z1, z2]), 0.0, 0.0, 5.0)
                if k == 1:
                    ax.fill_between(layout.x, -60, layout.ground, color="#6b8e23", alpha=0.6)
                    ax.fill_between(layout.x, layout.ceiling, 60, color="#808080", alpha=0.6)
                ax.plot(layout.x, layout.ground, color=f"C{k}", lw=0.8)
                ax.plot(layout.x, layout.ceiling, color=f"C{k}", lw=0.8, ls="--")
            ax.set_title(f"latent_0={z0:.2f}, latent_1={z1:.2f}", fontsize=8)
            ax.set_ylim(-40, 50)
    for ax in axes[-1]:
        ax.set_xlabel("x (m)")
    for ax in axes[:, 0]:
        ax.set_ylabel("y (m)")
    fig.suptitle(
        "Parkour terrains over the latent space: ground (solid) and ceiling (dashed) for "
        f"latent_2 = {l2:g} (C0), {(l2 + h2) / 2:g} (C1, filled), {h2:g} (C2)",
        fontsize=9,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=80)
    print(f"wrote {out}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/parkour_terrains.png"))
    parser.add_argument("--select", action="store_true", help="rank seeds of weights")
    parser.add_argument("--seeds", type=int, default=100, help="seeds 0..N-1 to rank")
    parser.add_argument("--tasks", type=int, default=100, help="latents drawn per seed")
    parser.add_argument("--write", action="store_true", help="store the best seed's weights")
    args = parser.parse_args(argv)
    if args.select:
        select(range(args.seeds), args.tasks, args.write)
    else:
        draw(args.out)


if __name__ == "__main__":
    main()
