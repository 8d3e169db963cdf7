"""The ``maze`` env and its task space (envs.maze)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from minigrid.core.grid import Grid
from minigrid.core.world_object import Goal, Wall
from minigrid.minigrid_env import MiniGridEnv

from aclbench import envs
from aclbench.envs.maze import MazeEnv, MazeTaskSpace
from aclbench.envs.maze_levels import FORWARD, decode, encode, from_text, solve
from aclbench.envs.maze_view import ENCODING_MAX
from aclbench.errors import InvalidTaskError
from aclbench.teachers import make_teacher


@pytest.fixture
def env() -> MazeEnv:
    return MazeEnv()


def play(env: gym.Env, actions: list[int]) -> tuple[float, bool, list[np.ndarray]]:
    total, done, observations = 0.0, False, []
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        observations.append(obs)
        total += reward
        done = terminated or truncated
        if done:
            break
    return total, done, observations


def test_registered_and_passes_check_env() -> None:
    entry = envs.ENVS.get("maze")
    assert entry.gym_id == "aclbench/Maze-v0"
    env = entry.make()
    assert isinstance(env.unwrapped, MazeEnv)
    check_env(env.unwrapped, skip_render_check=True)
    assert envs.task_env(env).task_space.names[-5:] == (
        "agent_x", "agent_y", "agent_dir", "goal_x", "goal_y"
    )  # fmt: skip


def test_shortest_path_solver_reaches_the_goal_on_every_test_maze(env: MazeEnv) -> None:
    names = env.test_task_names()
    assert {"SixteenRooms", "Labyrinth", "LargeCorridor", "PerfectMaze7x7"} <= set(names)
    for name, task in zip(names, env.test_tasks(), strict=True):
        actions = solve(decode(task, 13))
        assert actions is not None, f"{name} is unsolvable"
        env.reset(options={"task": task})
        total, done, _ = play(env, actions)
        assert done and total > env.mastered_threshold, f"{name}: return {total}"
        assert env.unwrapped.step_count == len(actions)


def test_test_tasks_are_fixed_valid_and_fit_smaller_grids(env: MazeEnv) -> None:
    tasks = env.test_tasks()
    np.testing.assert_array_equal(tasks, MazeEnv().test_tasks())
    assert tasks.shape == (len(env.test_task_names()), 13 * 13 + 5)
    assert all(env.task_space.contains(task) for task in tasks)
    small = MazeEnv(size=9)
    assert small.test_task_names() == ["PerfectMaze3x3", "PerfectMaze4x4", "PerfectMaze5x5"]
    big = MazeEnv(size=15)
    assert len(big.test_task_names()) == len(env.test_task_names())
    for task in big.test_tasks():
        assert solve(decode(task, 15)) is not None


def test_reaching_the_goal_is_rewarded_as_in_minigrid(env: MazeEnv) -> None:
    level = from_text([">G...", ".....", ".....", ".....", "....."])
    small = MazeEnv(size=5, max_steps=100)
    small.reset(options={"task": encode(level)})
    obs, reward, terminated, truncated, info = small.step(FORWARD)
    assert terminated and not truncated and info == {"is_success": True}
    assert reward == pytest.approx(1 - 0.9 * 1 / 100)


def test_unsolved_episode_is_truncated_with_zero_return() -> None:
    level = from_text([">#...", "##...", ".....", ".....", "....G"])
    small = MazeEnv(size=5, max_steps=20)
    small.reset(options={"task": encode(level)})
    total, done, _ = play(small, [FORWARD] * 20)
    assert done and total == 0.0 and small.step_count == 20


def test_same_seed_and_task_give_the_same_episode(env: MazeEnv) -> None:
    actions = np.random.default_rng(0).integers(0, 3, 60).tolist()
    first_obs, _ = env.reset(seed=3)
    task = env.task.copy()
    run_a = play(env, actions)
    again_obs, _ = env.reset(seed=3)
    np.testing.assert_array_equal(env.task, task)
    np.testing.assert_array_equal(first_obs, again_obs)
    run_b = play(env, actions)
    assert run_a[0] == run_b[0]
    np.testing.assert_array_equal(np.array(run_a[2]), np.array(run_b[2]))
    other, _ = env.reset(seed=99, options={"task": task})  # the task fixes the world
    np.testing.assert_array_equal(other, first_obs)


def test_the_grid_is_the_level_built_with_minigrids_own_calls(env: MazeEnv) -> None:
    """The env fills its grid from a template with one shared Wall; it must be the grid that
    MiniGrid's wall_rect and a Wall per wall cell build, and render as one."""
    rng = np.random.default_rng(0)
    for task in [*env.test_tasks(), *(env.task_space.sample(rng) for _ in range(20))]:
        env.reset(options={"task": task})
        level = env.task_space.level(task)
        side = level.size + 2
        expected = Grid(side, side)
        expected.wall_rect(0, 0, side, side)
        for y, x in zip(*np.nonzero(level.walls), strict=True):
            expected.set(int(x) + 1, int(y) + 1, Wall())
        expected.set(level.goal[0] + 1, level.goal[1] + 1, Goal())
        assert env.grid == expected
        assert env.agent_pos == (level.agent[0] + 1, level.agent[1] + 1)
    frame = MazeEnv(render_mode="rgb_array")
    frame.reset(options={"task": task})
    image = frame.render()
    assert image.shape == (side * 32, side * 32, 3)
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 2  # walls, floor, goal, agent


def minigrid_observation(env: MazeEnv) -> tuple[np.ndarray, np.ndarray]:
    """MiniGrid's own gen_obs image (built cell by cell) and the flat observation the env made
    of it before it read its tables: what the env's observations must equal."""
    obs = MiniGridEnv.gen_obs(env)
    one_hot = np.eye(4, dtype=np.float32)[obs["direction"]]
    return obs["image"], np.concatenate([(obs["image"] / ENCODING_MAX).ravel(), one_hot])


SIZES_AND_VIEWS = [(13, 5), (5, 5), (13, 7)]


@pytest.mark.parametrize(("size", "view"), SIZES_AND_VIEWS)
def test_observation_equals_minigrids_at_every_place_and_direction(size: int, view: int) -> None:
    env = MazeEnv(size=size, agent_view_size=view)
    rng = np.random.default_rng(1)
    for task in [*env.test_tasks(), *(env.task_space.sample(rng) for _ in range(5))]:
        env.reset(options={"task": task})
        for y, x in zip(*np.nonzero(~env.level.walls), strict=True):
            for direction in range(4):
                env.agent_pos, env.agent_dir = (int(x) + 1, int(y) + 1), direction
                image, flat = minigrid_observation(env)
                ours = env.gen_obs()
                assert ours["image"].dtype == np.uint8 and ours["flat"].dtype == np.float32
                np.testing.assert_array_equal(ours["image"], image)
                np.testing.assert_array_equal(ours["flat"], flat)


@pytest.mark.parametrize(("size", "view"), SIZES_AND_VIEWS)
def test_reset_and_step_observations_equal_minigrids(size: int, view: int) -> None:
    env = MazeEnv(size=size, agent_view_size=view)
    rng = np.random.default_rng(2)
    at_the_outer_wall = set()  # (side, direction) where the agent stood next to the outer wall

    def check(obs: np.ndarray) -> None:
        assert obs.dtype == np.float32
        np.testing.assert_array_equal(obs, minigrid_observation(env)[1])
        x, y = env.agent_pos
        sides = {"west": x == 1, "east": x == size, "north": y == 1, "south": y == size}
        at_the_outer_wall.update((side, env.agent_dir) for side, at in sides.items() if at)

    for task in [*env.test_tasks(), *(env.task_space.sample(rng) for _ in range(30))]:
        for direction in range(4):
            task = task.copy()
            task[-3] = direction  # agent_dir
            obs, _ = env.reset(options={"task": task})
            for action in rng.choice(3, size=40, p=[0.2, 0.2, 0.6]).tolist():
                check(obs)
                obs, _, terminated, truncated, _ = env.step(action)
                if terminated or truncated:
                    break
            check(obs)
    assert len(at_the_outer_wall) == 16  # every direction next to every side of the grid


def test_task_changes_the_world_never_the_spaces(env: MazeEnv) -> None:
    spaces = (env.observation_space, env.action_space)
    seen = set()
    for task in env.test_tasks():
        obs, _ = env.reset(options={"task": task})
        assert (env.observation_space, env.action_space) == spaces
        assert env.observation_space.contains(obs)
        seen.add(obs.tobytes())
    assert len(seen) > 3


def test_invalid_task_names_the_dimension_and_bounds(env: MazeEnv) -> None:
    task = env.test_tasks()[0].copy()
    task[-5] = 13  # agent_x
    with pytest.raises(ValueError, match=r"'agent_x' = 13.0 is outside its bounds \{0..12\}"):
        env.reset(options={"task": task})
    task[-5] = np.nan
    with pytest.raises(InvalidTaskError, match=r"'agent_x' = nan is outside its bounds"):
        env.reset(options={"task": task})
    task = env.test_tasks()[0].copy()
    task[3] = 0.5  # a wall bit
    with pytest.raises(InvalidTaskError, match=r"'wall_y0_x3' = 0.5 is not a whole number"):
        env.task_space.validate(task)
    task = env.test_tasks()[0].copy()
    gx, gy = int(task[-2]), int(task[-1])
    task[gy * 13 + gx] = 1
    with pytest.raises(InvalidTaskError, match="goal .* is on a wall"):
        env.reset(options={"task": task})


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"agent_view_size": 4}, r"agent_view_size must be odd and >= 3, got 4"),
        ({"agent_view_size": 1}, r"agent_view_size must be odd and >= 3, got 1"),
        ({"max_steps": 0}, r"max_steps must be >= 1, got 0"),  # the reward divides by it
    ],
)
def test_bad_constructor_values_are_value_errors_naming_the_argument(kwargs, match) -> None:
    """MiniGrid's own check of the view is a bare assert, which a suite's config check lets
    through as a traceback."""
    with pytest.raises(ValueError, match=match):
        MazeEnv(**kwargs)


def test_task_space_samples_random_levels_and_mutates_validly() -> None:
    space = MazeTaskSpace(size=13, max_walls=60)
    rng_a, rng_b = np.random.default_rng(4), np.random.default_rng(4)
    tasks = [space.sample(rng_a) for _ in range(100)]
    np.testing.assert_array_equal(tasks, [space.sample(rng_b) for _ in range(100)])
    walls = [task[:169].sum() for task in tasks]
    assert max(walls) <= 60 and np.std(walls) > 10  # a varying number of walls, not ~85 bits
    for task in tasks:
        child = space.mutate(task, rng_a, n_edits=5)
        assert space.contains(child)
        assert np.count_nonzero(child != task) <= 10
    assert "MazeTaskSpace(wall_y0_x0..wall_y12_x12" in repr(space)
    empty = MazeTaskSpace(max_walls=0).sample(rng_a)
    assert empty[:169].sum() == 0


class OneLevel(gym.Wrapper):
    """Every episode on the same level."""

    def __init__(self, env: MazeEnv, level: np.ndarray) -> None:
        super().__init__(env)
        self.level = level

    def reset(self, *, seed=None, options=None):
        return self.env.reset(seed=seed, options={"task": self.level})


def test_ppo_learns_a_shortest_path_from_the_observation() -> None:
    """SB3 PPO with an MLP learns to walk a small level in the fewest steps (9: one turn, eight
    moves), from a policy that never reaches the goal (8k steps: every seed tried, 0 to 2)."""
    from stable_baselines3 import PPO

    level = encode(from_text(["v....", ".....", "..#..", ".....", "....G"]))
    env = OneLevel(MazeEnv(size=5, max_steps=40), level)
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=256,
        batch_size=64,
        n_epochs=4,
        learning_rate=1e-3,
        seed=0,
        device="cpu",
    )

    def greedy_return() -> float:
        obs, _ = env.reset(seed=0)
        total, done = 0.0, False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(
                int(model.predict(obs, deterministic=True)[0])
            )
            total, done = total + reward, terminated or truncated
        return total

    assert greedy_return() == 0.0
    model.learn(8192)
    assert greedy_return() == pytest.approx(1 - 0.9 * 9 / 40)


def test_clip_gives_the_nearest_valid_level_for_any_shape() -> None:
    space = MazeTaskSpace(size=5)
    rng = np.random.default_rng(0)
    levels = np.stack([space.sample(rng) for _ in range(4)])
    np.testing.assert_array_equal(space.clip(levels), levels)  # valid levels stay as they are
    noisy = space.clip(levels + rng.normal(0.0, 0.6, levels.shape))
    assert noisy.shape == levels.shape
    for row in noisy:
        space.validate(row)


@pytest.mark.parametrize("teacher", ["riac", "alp-gmm", "covar-gmm", "easy-to-hard"])
def test_teachers_that_propose_points_get_valid_levels(teacher: str) -> None:
    """They clip their points: on the maze, clip returns the nearest valid level."""
    space = MazeTaskSpace(size=5)
    chosen = make_teacher(teacher, space, seed=0)
    rng = np.random.default_rng(0)
    for _ in range(300):  # past ALP-GMM's and Covar-GMM's first fits (250 episodes)
        task = chosen.sample_task()
        np.testing.assert_array_equal(space.clip(task), task)  # already a valid level
        chosen.update(task, float(rng.random()))
    assert chosen.episodes == 300
