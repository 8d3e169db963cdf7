"""Curriculum views: the drawn inner state is where the teacher's log puts it."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse, Rectangle

from aclbench.harness.report.curriculum import curriculum_figure, draw_state, most_varied
from aclbench.harness.report.runs import load_results
from aclbench.task_space import TaskSpace

SPACE = TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)})


def axes():
    return Figure().subplots()


def test_gaussians_in_task_units_are_drawn_as_two_sigma_ellipses():
    ax = axes()
    state = {"gaussians": [{"mean": [1.0, 2.0], "covariance": [[0.04, 0], [0, 0.01]], "alp": 1}]}
    caption = draw_state(ax, state, SPACE, (0, 1))
    (ellipse,) = [p for p in ax.patches if isinstance(p, Ellipse)]
    assert ellipse.center == pytest.approx((1.0, 2.0))
    # 2 sigma each side: 4 * sqrt(0.04) along height, 4 * sqrt(0.01) along spacing
    assert sorted([ellipse.width, ellipse.height]) == pytest.approx([0.4, 0.8])
    assert "higher alp" in caption


def test_unit_cube_gaussians_with_an_alp_coordinate_are_mapped_to_task_units():
    ax = axes()
    mean = [0.5, 0.25, 0.3]  # task in the unit cube, then ALP
    cov = np.diag([0.01, 0.04, 0.5]).tolist()
    draw_state(ax, {"gaussians": [{"mean": mean, "covariance": cov}]}, SPACE, (0, 1))
    (ellipse,) = ax.patches
    assert ellipse.center == pytest.approx((1.5, 1.5))
    # sigma 0.1 of 3 = 0.3 along height, 0.2 of 6 = 1.2 along spacing
    assert sorted([ellipse.width, ellipse.height]) == pytest.approx([1.2, 4.8])


def test_units_key_says_unit_cube():
    ax = axes()
    state = {"units": "unit", "gaussians": [{"mean": [0.5, 0.5], "covariance": np.eye(2).tolist()}]}
    draw_state(ax, state, SPACE, (0, 1))
    assert ax.patches[0].center == pytest.approx((1.5, 3.0))


def test_regions_are_rectangles():
    ax = axes()
    state = {"regions": [{"low": [0, 1], "high": [1.5, 6], "alp": 0.2}, {"low": [1.5, 0]}]}
    caption = draw_state(ax, state, SPACE, (0, 1))
    (rect,) = [p for p in ax.patches if isinstance(p, Rectangle)]  # the second lacks "high"
    assert (rect.get_x(), rect.get_y(), rect.get_width(), rect.get_height()) == (0, 1, 1.5, 5)
    assert "regions" in caption


def test_of_a_region_tree_only_the_leaves_are_drawn():
    ax = axes()
    tree = [
        {"low": [0, 0], "high": [3, 6], "alp": 0.1, "leaf": False},
        {"low": [0, 0], "high": [1, 6], "alp": 0.3, "leaf": True},
        {"low": [1, 0], "high": [3, 6], "alp": 0.0, "leaf": True},
    ]
    draw_state(ax, {"regions": tree}, SPACE, (0, 1))
    assert sorted(p.get_width() for p in ax.patches) == [1, 2]


def test_unknown_or_empty_states_are_skipped_and_said():
    ax = axes()
    assert "unknown shape, keys: arms, values" in draw_state(
        ax, {"arms": [], "values": 3}, SPACE, (0, 1)
    )
    assert "no inner state" in draw_state(ax, {}, SPACE, (0, 1))
    assert not ax.patches


def test_most_varied_dimensions():
    space = TaskSpace({"a": (0.0, 1.0), "b": (0.0, 100.0), "c": (0.0, 1.0)})
    points = np.array([[0.0, 50.0, 0.0], [1.0, 51.0, 0.5], [0.5, 50.0, 1.0]])
    assert most_varied(space, points) == (0, 2)  # b barely moves in unit-cube terms


def test_views_of_two_three_and_one_dimensional_spaces(synthetic, run_writer, tmp_path):
    results = load_results([synthetic.baseline])
    toy = curriculum_figure(results.group("toy", "alp-gmm")[0])
    assert toy is not None and len(toy[0].axes) == 4 + 1  # four slices and a colour bar
    assert sum(len(ax.patches) for ax in toy[0].axes) == 8  # two Gaussians per slice
    cartpole = curriculum_figure(results.group("cartpole", "riac")[0])
    assert "two most varied of 3 dimensions" in cartpole[1]
    run_writer(tmp_path / "line", suite="s", env="line", teacher="random", seed=0, final=50)
    (line,) = load_results([tmp_path]).runs
    fig, caption = curriculum_figure(line)
    assert fig.axes[0].get_ylabel() == "x" and "every training episode" in caption
