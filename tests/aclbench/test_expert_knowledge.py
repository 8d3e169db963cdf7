"""aclbench.expert_knowledge: levels, cutting knowledge down, and the initial Gaussian."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian, check_level, rank
from aclbench.task_space import TaskSpace

SPACE = TaskSpace({"height": (0.0, 3.0), "spacing": (0.0, 6.0)})


def test_levels_are_ordered_and_anything_else_is_refused_in_one_line():
    assert [rank(level) for level in ("none", "low", "high")] == [0, 1, 2]
    for bad in ("medium", "", None, 1, "LOW"):
        with pytest.raises(
            ConfigError, match="expert_knowledge must be one of 'none', 'low', 'high'"
        ):
            check_level(bad)


def test_knowledge_is_cut_down_and_never_raised():
    initial = InitialGaussian.around(SPACE, {"height": 0.0, "spacing": 6.0})
    full = ExpertKnowledge.from_mastery(230.0, (-150.0, 350.0), (0.0, 180.0), initial)
    assert full.level == "high" and full.at("high") == full
    low = full.at("low")
    assert (low.level, low.mastery_threshold, low.return_range, low.return_thresholds) == (
        "low",
        230.0,
        (-150.0, 350.0),
        (0.0, 180.0),
    )
    assert low.initial is None
    assert full.at("none") == ExpertKnowledge()
    assert low.at("high") == low  # "high" asked of "low" knowledge stays "low"
    default = ExpertKnowledge.from_mastery(0.75, (0.0, 1.0))
    assert default.return_thresholds == (0.0, 0.75)  # narrow at failure, widen at mastery


def test_initial_gaussian_around_an_easy_task_with_ten_percent_of_each_range():
    gaussian = InitialGaussian.around(SPACE, {"height": 0.0, "spacing": 6.0})
    assert gaussian.mean == (0.0, 6.0)
    np.testing.assert_allclose(gaussian.std, (0.3, 0.6))
    tasks = gaussian.sample(SPACE, np.random.default_rng(0), 2000)
    assert all(SPACE.contains(t) for t in tasks)  # clipped into the space
    assert np.mean(tasks[:, 0] == 0.0) == pytest.approx(0.5, abs=0.05)  # half clipped at 0
    inside = tasks[(tasks[:, 1] < 6.0)][:, 1]
    assert np.std(6.0 - inside) == pytest.approx(0.6 * np.sqrt(1 - 2 / np.pi), rel=0.1)
    again = gaussian.sample(SPACE, np.random.default_rng(0), 2000)
    np.testing.assert_array_equal(tasks, again)


def test_initial_gaussian_on_discrete_dimensions_gives_whole_values():
    space = TaskSpace({"task": 8})
    tasks = InitialGaussian.around(space, {"task": 0}).sample(space, np.random.default_rng(1), 500)
    assert set(np.unique(tasks)) <= {0.0, 1.0, 2.0, 3.0}
    assert np.mean(tasks == 0.0) > 0.6


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mean": (0.0,), "std": (0.1, 0.1)},
        {"mean": (0.0, 1.0), "std": (0.1, 0.0)},
        {"mean": (float("nan"), 1.0), "std": (0.1, 0.1)},
    ],
)
def test_bad_initial_gaussians_are_refused(kwargs):
    with pytest.raises(ValueError, match="InitialGaussian"):
        InitialGaussian(**kwargs)


def test_a_gaussian_of_other_dimensions_than_the_space_is_refused():
    gaussian = InitialGaussian((0.0,), (0.1,))
    with pytest.raises(ConfigError, match="1 dimensions, the task space 2"):
        gaussian.sample(SPACE, np.random.default_rng(0), 1)


def test_bad_knowledge_is_refused():
    with pytest.raises(ConfigError, match="ExpertKnowledge.level"):
        ExpertKnowledge("some")
    with pytest.raises(ValueError, match="return_range must be \\(low, high\\), low < high"):
        ExpertKnowledge("low", 1.0, (1.0, 0.0))
