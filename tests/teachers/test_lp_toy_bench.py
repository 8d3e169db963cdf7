"""The issue's target on the toy bench of Portelas et al. (2019): 2-D, 10 x 10 cells, 20,000
episodes; every learning-progress teacher masters at least 5 times random's mean % of cells.

The full protocol (5 seeds per teacher, with confidence intervals and timings) takes minutes and
lives in ``python -m benchmarks.perf.teachers_toy``; this test runs random on all 5 seeds (it is
cheap) and each learning-progress teacher on seed 0, so that the suite stays fast.
"""

import numpy as np
import pytest

from benchmarks.perf.teachers_toy import run_toy

EPISODES = 20_000
RATIO = 5.0


@pytest.fixture(scope="module")
def random_mastered() -> float:
    runs = [run_toy("random", episodes=EPISODES, seed=s, checkpoints=(EPISODES,)) for s in range(5)]
    return float(np.mean([run.mastered[EPISODES] for run in runs]))


@pytest.mark.parametrize("name", ["alp-gmm", "covar-gmm", "riac"])
def test_masters_five_times_more_cells_than_random(name, random_mastered):
    assert random_mastered > 0  # random does master the cells next to the origin
    run = run_toy(name, episodes=EPISODES, seed=0, checkpoints=(EPISODES,))
    assert run.mastered[EPISODES] >= RATIO * random_mastered, (
        f"{name}: {run.mastered[EPISODES]:.1f}% mastered, random {random_mastered:.1f}%"
    )
