import copy
import pickle

import numpy as np
import pytest
from gymnasium import spaces

from aclbench import InvalidTaskError, TaskSpace


@pytest.fixture
def space() -> TaskSpace:
    return TaskSpace({"height": (0.0, 3.0), "spacing": spaces.Box(0.0, 6.0), "level": 4})


def test_dimensions_keep_order_names_and_bounds(space):
    assert space.names == ("height", "spacing", "level")
    np.testing.assert_array_equal(space.low, [0, 0, 0])
    np.testing.assert_array_equal(space.high, [3, 6, 3])
    assert space.discrete.tolist() == [False, False, True]
    assert space.shape == (3,)


def test_discrete_with_start():
    space = TaskSpace({"size": spaces.Discrete(3, start=5)})
    assert space.validate([7]).tolist() == [7.0]
    with pytest.raises(InvalidTaskError, match=r"'size' = 8.0 is outside its bounds \{5..7\}"):
        space.validate([8])


def test_sampling_is_seeded_uniform_and_inside(space):
    a = np.array([space.sample(np.random.default_rng(3)) for _ in range(3)])
    b = np.array([space.sample(np.random.default_rng(3)) for _ in range(3)])
    np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(0)
    samples = np.array([space.sample(rng) for _ in range(4000)])
    assert all(space.contains(s) for s in samples[:200])
    assert abs(samples[:, 0].mean() - 1.5) < 0.1
    counts = np.bincount(samples[:, 2].astype(int), minlength=4)
    assert counts.min() > 850  # each of 4 levels about 1000 times


def test_space_own_generator_is_seedable(space):
    space.seed(7)
    first = space.sample()
    space.seed(7)
    np.testing.assert_array_equal(first, space.sample())


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ([3.5, 1.0, 0], r"'height' = 3.5 is outside its bounds \[0, 3\]"),
        ([1.0, float("nan"), 0], r"'spacing' = nan is outside its bounds \[0, 6\]"),
        ([1.0, 1.0, 1.5], r"'level' = 1.5 is not a whole number"),
        ([1.0, 1.0], r"shape \(2,\), expected \(3,\)"),
        ({"height": 1.0, "spacing": 1.0}, r"missing \['level'\]"),
    ],
)
def test_invalid_tasks_name_the_dimension_and_bounds(space, task, message):
    with pytest.raises(InvalidTaskError, match=message):
        space.validate(task)
    assert not space.contains(task)
    assert issubclass(InvalidTaskError, ValueError)


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ([3.5, 1.0, 0.0], r"'height' = 3.5 is outside its bounds \[0, 3\]"),
        ([-0.5, 1.0, 0.0], r"'height' = -0.5 is outside its bounds \[0, 3\]"),
        ([1.0, float("nan"), 0.0], r"'spacing' = nan is outside its bounds \[0, 6\]"),
        ([1.0, float("inf"), 0.0], r"'spacing' = inf is outside its bounds \[0, 6\]"),
        ([1.0, 1.0, 1.5], r"'level' = 1.5 is not a whole number"),
        ([[1.0, 1.0, 1.0]], r"shape \(1, 3\), expected \(3,\)"),
    ],
)
def test_float64_arrays_get_the_same_errors(space, task, message):
    # float64 arrays take validate's fast path; a bad one must still be explained
    with pytest.raises(InvalidTaskError, match=message):
        space.validate(np.array(task, dtype=np.float64))


def test_valid_float64_array_is_returned_as_is_and_other_inputs_converted(space):
    task = np.array([3.0, 0.0, 3.0])
    assert space.validate(task) is task
    for other in ([3.0, 0.0, 3], task.astype(np.float32), (3, 0, 3)):
        converted = space.validate(other)
        assert converted.dtype == np.float64
        np.testing.assert_array_equal(converted, task)


def test_unit_cube_round_trip(space):
    tasks = np.array([[0.0, 0.0, 0], [3.0, 6.0, 3], [1.5, 3.0, 2]])
    unit = space.to_unit(tasks)
    np.testing.assert_allclose(unit[0], [0.0, 0.0, 0.125])  # discrete value -> its cell centre
    np.testing.assert_allclose(unit[1], [1.0, 1.0, 0.875])
    np.testing.assert_allclose(space.from_unit(unit), tasks)
    np.testing.assert_allclose(space.from_unit([1.0, 1.0, 1.0]), [3.0, 6.0, 3.0])


def test_sample_is_from_unit_of_one_uniform_draw_per_dimension(space):
    # sample() skips from_unit's clip for continuous spaces: the same values to the bit, so
    # runs recorded before stay reproducible
    continuous = TaskSpace({"a": (0.02, 0.5), "b": (-1.0, 100.0)})
    for tested in (space, continuous, copy.deepcopy(continuous)):
        drawn, reference = np.random.default_rng(5), np.random.default_rng(5)
        for _ in range(200):
            expected = tested.from_unit(reference.random(len(tested)))
            assert tested.sample(drawn).tobytes() == expected.tobytes()


def test_grid_is_cell_centres_with_first_dimension_slowest():
    space = TaskSpace({"a": (0.0, 1.0), "b": (0.0, 10.0)})
    grid = space.grid(2)
    np.testing.assert_allclose(grid, [[0.25, 2.5], [0.25, 7.5], [0.75, 2.5], [0.75, 7.5]])
    assert TaskSpace({"n": 3}).grid(10).ravel().tolist() == [0.0, 1.0, 2.0]


def test_named_view_and_config_round_trip(space):
    task = space.validate({"height": 1.0, "spacing": 2.0, "level": 3})
    assert space.to_dict(task) == {"height": 1.0, "spacing": 2.0, "level": 3}
    assert isinstance(space.to_dict(task)["level"], int)
    assert TaskSpace.from_config(space.to_config()) == space


def test_bad_specs_are_rejected():
    with pytest.raises(ValueError, match="low <= high"):
        TaskSpace({"x": (2.0, 1.0)})
    with pytest.raises(TypeError, match="dimension 'x'"):
        TaskSpace({"x": "wide"})
    with pytest.raises(ValueError, match="at least one"):
        TaskSpace({})


def test_bounds_are_read_only_even_after_a_copy(space):
    """Every teacher and env shares the space's bounds: a write into them would move the space
    under all of them (and out of step with ``validate``)."""
    for copied in (space, copy.deepcopy(space), pickle.loads(pickle.dumps(space))):
        for bounds in (copied.low, copied.high, copied.discrete):
            with pytest.raises(ValueError, match="read-only"):
                bounds[0] = 1


@pytest.mark.parametrize("value", ["tall", None, [1.0, 2.0]])
def test_a_named_task_with_a_non_numeric_value_is_an_invalid_task(space, value):
    task = {"height": value, "spacing": 1.0, "level": 2}
    with pytest.raises(InvalidTaskError, match="task dimension 'height' = .* is not a number"):
        space.validate(task)
    assert not space.contains(task)


def test_grid_counts_must_match_the_dimensions_and_be_positive():
    space = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 2.0)})
    assert space.grid([2, 1]).tolist() == [[0.25, 1.0], [0.75, 1.0]]
    assert space.grid(np.int64(1)).tolist() == [[0.5, 1.0]]
    for counts in ([3], [3, 3, 3], 0, [2, 0]):
        with pytest.raises(ValueError, match=r"points_per_dim .*\('x', 'y'\)"):
            space.grid(counts)


def test_task_key_identifies_a_task_by_its_values():
    from aclbench.task_space import task_key

    assert task_key([-0.0, 1.0]) == task_key(np.array([0.0, 1.0])) == task_key([0, 1])
    assert task_key([0.0, 1.0]) != task_key([0.0, 1.0 + 1e-12])
    assert len({task_key([0.5, x]) for x in (0.0, -0.0, 0.25)}) == 2
