"""FIFO windows of (time, return) per arm and their regression slopes, checked by hand."""

import numpy as np
import pytest

from aclbench.teachers.return_windows import ReturnWindows, slope


def test_slope_by_hand() -> None:
    # points (1, 2), (3, 4), (4, 6): x mean 8/3, y mean 4, Sxy = 6, Sxx = 42/9 -> 9/7
    assert slope(np.array([1.0, 3.0, 4.0]), np.array([2.0, 4.0, 6.0])) == pytest.approx(9 / 7)
    assert np.isnan(slope(np.array([1.0]), np.array([2.0])))
    assert np.isnan(slope(np.array([2.0, 2.0]), np.array([0.0, 1.0])))


def test_windows_keep_the_last_pairs_per_arm() -> None:
    windows = ReturnWindows(n_arms=3, size=3)
    for time, (arm, value) in enumerate([(0, 1.0), (0, 2.0), (1, 5.0), (0, 4.0), (0, 6.0)]):
        windows.push(arm, time, value)
    # arm 0 keeps (1, 2), (3, 4), (4, 6); its first pair (0, 1) left the window
    np.testing.assert_allclose(windows.means(), [4.0, 5.0, np.nan])
    np.testing.assert_allclose(windows.slopes(), [9 / 7, np.nan, np.nan])
    assert windows.arm_slope(0) == windows.slopes()[0]
    assert windows.arm_mean(0) == 4.0 and np.isnan(windows.arm_mean(2))
    assert windows.filled().tolist() == [3, 1, 0] and windows.counts.tolist() == [4, 1, 0]
