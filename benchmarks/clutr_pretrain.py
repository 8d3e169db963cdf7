"""Pretrain CLUTR's recurrent VAE on random maze levels and save it for the ``clutr`` teacher.

    python -m benchmarks.clutr_pretrain --steps 3000 --kl-anneal 3000 --seed 0 \\
        --out teachers/models/clutr_maze13.pt

Trains :class:`~aclbench.teachers.clutr_vae.SequenceVAE` on fresh levels of the maze's random
generator (13 x 13, up to 60 walls: the ``maze`` env's defaults) with a fixed seed, on one CPU
thread, printing the loss as it goes, then the wall time and the reconstruction scores of
held-out random levels (:func:`~aclbench.teachers.clutr_vae.reconstruction_scores`, seed
``seed + 1``). The file written is the one the ``clutr`` teacher loads for that maze
(``teachers/models/``, shipped with the package); nothing is downloaded at run time. The
shipped file was made by the command above; its cost and scores are in
``results/perf/2026-12-04-clutr.md``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from aclbench.envs.maze import MazeTaskSpace
from aclbench.teachers.clutr_vae import reconstruction_scores, save_vae, train_vae


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=13, help="maze inner cells per side")
    parser.add_argument("--max-walls", type=int, default=60, help="most walls of a level")
    parser.add_argument("--steps", type=int, default=3000, help="training batches")
    parser.add_argument(
        "--kl-anneal", type=int, default=3000, help="KL annealing length (reference: 10000)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--held-out", type=int, default=500, help="levels scored at the end")
    parser.add_argument("--out", required=True, help="file to write (torch.save)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.kl_anneal < 1 or args.held_out < 2:
        parser.error("--steps and --kl-anneal must be >= 1, --held-out >= 2")

    codec = MazeTaskSpace(args.size, args.max_walls).level_sequence()
    start = time.perf_counter()

    def log(step: int, cross_entropy: float, kl: float) -> None:
        elapsed = time.perf_counter() - start
        losses = f"token cross-entropy {cross_entropy:.3f}  KL {kl:7.2f}"
        print(f"step {step:6d}  {losses}  {elapsed:6.0f} s")

    model = train_vae(codec, steps=args.steps, seed=args.seed, kl_anneal=args.kl_anneal, log=log)
    seconds = time.perf_counter() - start
    save_vae(model, args.out, codec.key)
    rng = np.random.default_rng(args.seed + 1)
    scores = reconstruction_scores(model, codec, [codec.sample(rng) for _ in range(args.held_out)])
    n_params = sum(p.numel() for p in model.parameters())
    print(f"trained {args.steps} steps in {seconds:.0f} s ({seconds / args.steps:.3f} s/step)")
    print(f"{n_params} parameters; wrote {args.out}")
    print("held-out reconstruction: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
