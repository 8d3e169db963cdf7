"""Stump Tracks: the env protocol, the track generator's facts, the bodies, and behaviour on
easy and hard tracks."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # check_env opens a "human" window

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.envs.box2d.bipedal_walker import SCALE, TERRAIN_HEIGHT, TERRAIN_STEP, VIEWPORT_H
from gymnasium.utils.env_checker import check_env

from aclbench.envs import ENVS, make_env
from aclbench.envs.stump_tracks import TRACK_END, TRACK_START, generate_layout
from aclbench.envs.walker_bodies import BODIES
from aclbench.errors import InvalidTaskError, UnknownNameError

BIPEDS = ["classic", "short", "long"]
FIRST_STUMP_END = TRACK_START + TERRAIN_STEP  # x where the first (default-width) stump ends


def make(**kwargs: object) -> gym.Env:
    return make_env("stump-tracks", **kwargs)


def stump_tops(env: gym.Env) -> np.ndarray:
    """Height above the start pad of every stump in the Box2D world, in terrain steps."""
    tops = [
        max(v[1] for v in fixture.shape.vertices)
        for body in env.unwrapped.terrain
        for fixture in body.fixtures
        if len(fixture.shape.vertices) > 2
    ]
    return (np.array(tops) - TERRAIN_HEIGHT) / TERRAIN_STEP


def rollout(env: gym.Env, policy, task, seed: int) -> tuple[float, float, bool]:
    """Return, furthest hull x, and whether the walker fell (hull contact)."""
    obs, _ = env.reset(seed=seed, options={"task": task})
    total, furthest = 0.0, 0.0
    while True:
        obs, reward, terminated, truncated, _ = env.step(policy(obs))
        total += reward
        furthest = max(furthest, env.unwrapped.hull.position[0])
        if terminated or truncated:
            return total, furthest, env.unwrapped.game_over


class Gait:
    """A scripted walk for the classic biped, modelled on Gymnasium's BipedalWalkerHeuristics:
    swing one leg forward, put it down, push off with the other; PD control on joint angles,
    hull kept level. It first lets the walker land, and puts down at once a swing leg that has
    stalled on the ground: on level ground the walker can otherwise stand still in a split
    stance forever. A fragile gait (it falls on small bumps), but a real one."""

    SPEED = 0.29

    def __init__(self, land_steps: int = 5) -> None:
        self.land_steps = land_steps
        self.swing, self.phase, self.knee = 0, 0, 0.1

    def __call__(self, s: np.ndarray) -> np.ndarray:
        if self.land_steps > 0:
            self.land_steps -= 1
            return np.zeros(4)
        sw, st = 4 + 5 * self.swing, 4 + 5 * (1 - self.swing)  # obs blocks of the two legs
        hip, knee = {}, {}
        if self.phase == 0:  # swing
            hip[sw], knee[sw] = 1.1, -0.6
            self.knee = knee[st] = min(self.knee + 0.03, 0.1)
            if s[st] < 0.1 or (s[sw + 4] and s[2] < 0.05):
                self.phase = 1
        if self.phase == 1:  # put the swing leg down
            hip[sw], knee[sw], knee[st] = 0.1, 0.1, self.knee
            if s[sw + 4]:
                self.phase, self.knee = 2, min(s[sw + 2], 0.1)
        if self.phase == 2:  # push off
            knee[sw], knee[st] = self.knee, 1.0
            if s[st + 2] > 0.88 or s[2] > 1.2 * self.SPEED:
                self.phase, self.swing = 0, 1 - self.swing
        action = np.zeros(4)
        for leg, base in enumerate((4, 9)):
            if base in hip:
                action[2 * leg] = 0.9 * (hip[base] - s[base]) - 0.25 * s[base + 1]
            if base in knee:
                action[2 * leg + 1] = 4.0 * (knee[base] - s[base + 2]) - 0.25 * s[base + 3]
            action[2 * leg] += 0.9 * s[0] + 1.5 * s[1]
            action[2 * leg + 1] -= 15.0 * s[3]
        return np.clip(0.5 * action, -1.0, 1.0)


def stiff_legs(obs: np.ndarray) -> np.ndarray:
    """Hold every hip at 0 and every knee straight."""
    n_legs = (len(obs) - 14) // 5
    blocks = obs[4 : 4 + 5 * n_legs].reshape(n_legs, 5)
    hips = 2.0 * (0.0 - blocks[:, 0]) - 0.2 * blocks[:, 1]
    knees = 2.0 * (0.9 - blocks[:, 2]) - 0.2 * blocks[:, 3]
    return np.clip(np.column_stack([hips, knees]).ravel(), -1.0, 1.0)


# --- protocol -------------------------------------------------------------------------------
def test_registered_with_paper_protocol():
    assert "stump-tracks" in ENVS
    env = make()
    inner = env.unwrapped
    assert env.spec.id == "aclbench/StumpTracks-v0" and env.spec.max_episode_steps == 2000
    assert inner.task_space.names == ("stump_height", "obstacle_spacing")
    assert inner.task_space.low.tolist() == [0, 0] and inner.task_space.high.tolist() == [3, 6]
    assert inner.mastered_threshold == 230
    tests = inner.test_tasks()
    assert tests.shape == (100, 2)
    assert np.allclose(tests[0], [0.15, 0.3]) and np.allclose(tests[-1], [2.85, 5.7])
    assert np.array_equal(tests, inner.test_tasks())


@pytest.mark.parametrize("body", ["classic", "quadru"])
def test_passes_gymnasium_check_env(body):
    check_env(make(body=body).unwrapped)


def test_same_seed_task_and_actions_give_the_same_episode():
    actions = np.random.default_rng(0).uniform(-1, 1, (300, 4))

    def episode(seed):
        env = make()
        obs, info = env.reset(
            seed=seed, options={"task": {"stump_height": 1.2, "obstacle_spacing": 2}}
        )
        steps = [env.step(a)[:2] for a in actions]
        return obs, np.array([o for o, _ in steps]), [r for _, r in steps], stump_tops(env)

    first, second, other = episode(7), episode(7), episode(8)
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)
    assert not np.array_equal(first[3], other[3])  # another seed draws other stumps


def test_rendering_does_not_change_the_following_episodes():
    """Clouds are drawn only when rendering: they must not use up the episode generator, or
    the tasks and tracks of the unseeded resets after a seeded one depend on the render mode."""

    def episodes(render_mode):
        env = make(render_mode=render_mode)
        resets = [env.reset(seed=5)] + [env.reset() for _ in range(2)]
        return [(obs, info["task"], stump_tops(env)) for obs, info in resets]

    for plain, rendered in zip(episodes(None), episodes("rgb_array"), strict=True):
        for a, b in zip(plain, rendered, strict=True):
            assert np.array_equal(a, b)


def test_default_task_is_drawn_from_the_seeded_generator():
    env = make()
    tasks = [env.reset(seed=seed)[1]["task"] for seed in (3, 3, 4)]
    assert np.array_equal(tasks[0], tasks[1]) and not np.array_equal(tasks[0], tasks[2])
    assert env.unwrapped.task_space.contains(tasks[2])
    assert np.array_equal(env.unwrapped.task, tasks[2])


def test_task_changes_the_world_never_the_spaces():
    env = make()
    spaces = (env.observation_space, env.action_space)
    tops = {}
    for task in ([0.0, 6.0], [3.0, 0.0], [1.5, 3.0]):
        obs, _ = env.reset(seed=0, options={"task": task})
        assert (env.observation_space, env.action_space) == spaces and obs.shape == (24,)
        tops[tuple(task)] = stump_tops(env)
    assert len(tops[(3.0, 0.0)]) > 5 * len(tops[(0.0, 6.0)])  # spacing sets the count
    assert tops[(3.0, 0.0)].mean() > 2.9 and tops[(0.0, 6.0)].max() < 0.5  # height sets height


@pytest.mark.parametrize(
    "task, match",
    [
        ([3.5, 1.0], r"'stump_height' = 3\.5 is outside its bounds \[0, 3\]"),
        ([1.0, -0.1], r"'obstacle_spacing' = -0\.1 is outside its bounds \[0, 6\]"),
        ([1.0], "shape"),
        ({"stump_height": 1.0, "spacing": 2.0}, "obstacle_spacing"),
    ],
)
def test_invalid_task_is_a_value_error_naming_the_dimension(task, match):
    env = make()
    with pytest.raises(ValueError, match=match) as info:
        env.reset(seed=0, options={"task": task})
    assert isinstance(info.value, InvalidTaskError)


def test_bounds_are_settable_as_in_teachmyagent_challenges():
    unfeasible = make(stump_height=(0.0, 9.0))
    unfeasible.reset(seed=0, options={"task": [8.0, 3.0]})
    assert stump_tops(unfeasible).mean() == pytest.approx(8.0, abs=0.1)
    feasible = make(stump_height=(-3.0, 3.0))
    feasible.reset(seed=0, options={"task": [-2.0, 3.0]})
    assert np.allclose(stump_tops(feasible), 0.05)  # heights are clipped at 0.05 steps
    with pytest.raises(InvalidTaskError, match=r"\[0, 3\]"):
        make().reset(options={"task": [8.0, 3.0]})


# --- track generator ------------------------------------------------------------------------
def test_layout_follows_the_paper():
    layout = generate_layout(np.random.default_rng(0), stump_height=2.0, obstacle_spacing=1.0)
    cx, cy, half_w, half_h, angle = layout.stumps.T
    heights = 2 * half_h / TERRAIN_STEP
    assert heights.mean() == pytest.approx(2.0, abs=0.05)
    assert heights.std() == pytest.approx(0.1, abs=0.03)
    assert np.allclose(2 * half_w, TERRAIN_STEP) and np.all(angle == 0)
    starts = cx - half_w
    assert starts[0] == pytest.approx(TRACK_START) and starts[-1] < TRACK_END
    assert np.allclose(np.diff(starts), TERRAIN_STEP + 1.0)  # one stump, then 1 m of ground
    assert np.allclose(cy - half_h, TERRAIN_HEIGHT)  # stumps stand on the ground
    assert layout.ground.tolist() == [
        [0.0, TERRAIN_HEIGHT],
        [pytest.approx(TRACK_END, abs=2), TERRAIN_HEIGHT],
    ]
    dense = generate_layout(np.random.default_rng(0), stump_height=0.0, obstacle_spacing=0.0)
    assert np.allclose(np.diff(dense.stumps[:, 0]), TERRAIN_STEP + 0.01)  # at least 1 cm apart
    assert np.all(dense.stumps[:, 3] * 2 >= 0.05 * TERRAIN_STEP - 1e-12)


def test_optional_dimensions_width_rotation_roughness():
    env = make(stump_width=(0.5, 3.0), stump_rotation=(-1.0, 1.0), roughness=(0.0, 10.0))
    names = env.unwrapped.task_space.names
    assert names == (
        "stump_height",
        "obstacle_spacing",
        "stump_width",
        "stump_rotation",
        "roughness",
    )
    rng = np.random.default_rng(1)
    layout = generate_layout(rng, 1.0, 2.0, stump_width=2.5, stump_rotation=0.5, roughness=8.0)
    assert (2 * layout.stumps[:, 2] / TERRAIN_STEP).mean() == pytest.approx(2.5, abs=0.05)
    assert layout.stumps[:, 4].mean() == pytest.approx(0.5, abs=0.05)
    assert np.all(np.diff(layout.ground[:, 0]) > 0) and np.ptp(layout.ground[:, 1]) > 0.5
    env.reset(seed=0, options={"task": [1.0, 2.0, 2.5, 0.5, 8.0]})
    assert len(env.unwrapped.terrain) == len(layout.stumps) + len(layout.ground) - 1


def test_test_set_stays_the_10_by_10_grid_with_optional_dimensions():
    """100 tasks, as in the paper, whatever the dimensions: a 10-point grid on every one of
    five dimensions would be 100,000 episodes of up to 2000 steps per evaluation."""
    env = make(stump_width=(0.5, 3.0), stump_rotation=(-1.0, 0.6), roughness=(0.0, 10.0))
    tests = env.unwrapped.test_tasks()
    assert tests.shape == (100, 5)
    np.testing.assert_allclose(tests[:, :2], make().unwrapped.test_tasks())
    np.testing.assert_allclose(tests[:, 2:], np.tile([1.75, -0.2, 5.0], (100, 1)))


# --- bodies ---------------------------------------------------------------------------------
def test_unknown_body_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="classic.*long.*quadru.*short"):
        make(body="tall")


def test_bodies_differ_in_geometry_and_torque():
    built = {}
    for name in BODIES.names():
        env = make(body=name)
        env.reset(seed=0, options={"task": [0.0, 6.0]})
        inner = env.unwrapped
        env.step(np.ones(env.action_space.shape))
        leg = inner.legs[0].fixtures[0].shape.vertices
        built[name] = {
            "leg": max(v[1] for v in leg) - min(v[1] for v in leg),
            "torques": {j.GetMaxMotorTorque() for j in inner.joints},
            "motors": len(inner.joints),
            "obs": env.observation_space.shape,
        }
    assert built["short"]["leg"] < built["classic"]["leg"] < built["long"]["leg"]
    assert built["classic"]["leg"] == pytest.approx(34 / SCALE)
    assert [built[n]["torques"] for n in ("classic", "short", "long", "quadru")] == [
        {80},
        {80},
        {160},
        {300},
    ]
    assert all(built[n]["motors"] == 4 and built[n]["obs"] == (24,) for n in BIPEDS)
    assert built["quadru"]["motors"] == 8 and built["quadru"]["obs"] == (34,)


def test_short_walker_stands_lower_than_a_height_2_5_stump():
    """Geometry that makes a track unfeasible for one body: with legs straight, the short
    walker's hull is lower than a 2.5-step stump, so it cannot pass one without touching it."""
    stump = 2.5 * TERRAIN_STEP
    clearance = {}
    for name in BIPEDS:
        env = make(body=name)
        env.reset(seed=0, options={"task": [0.0, 6.0]})
        hull = env.unwrapped.hull
        lowest = min((hull.transform * v)[1] for v in hull.fixtures[0].shape.vertices)
        clearance[name] = lowest - TERRAIN_HEIGHT
    assert clearance["short"] < stump < clearance["classic"] < clearance["long"]


def test_quadruped_stands_on_stiff_legs_where_bipeds_topple():
    for name in BODIES.names():
        env = make(body=name)
        _, steps, fell = 0.0, 0, False
        obs, _ = env.reset(seed=0, options={"task": [0.0, 6.0]})
        for steps in range(400):  # noqa: B007 (reported on failure)
            obs, _, terminated, _, _ = env.step(stiff_legs(obs))
            if terminated:
                fell = env.unwrapped.game_over
                break
        assert fell == (name != "quadru"), (name, steps)


# --- behaviour on easy and hard tracks ------------------------------------------------------
@pytest.mark.parametrize("body", BODIES.names())
def test_random_policy_never_passes_a_wall_of_stumps(body):
    env = make(body=body)
    rng = np.random.default_rng(0)
    total, furthest, _ = rollout(
        env, lambda obs: rng.uniform(-1, 1, env.action_space.shape), [3.0, 0.0], 0
    )
    assert furthest < FIRST_STUMP_END and total < 0


def test_scripted_gait_masters_an_easy_track_and_is_stopped_by_a_hard_one():
    env = make()
    easy = [rollout(env, Gait(), [0.0, 3.0], seed) for seed in range(8)]
    hard = [rollout(env, Gait(), [3.0, 0.0], seed) for seed in range(8)]
    assert np.median([furthest for _, furthest, _ in easy]) > FIRST_STUMP_END + 10.0
    assert max(total for total, _, _ in easy) > env.unwrapped.mastered_threshold
    assert all(furthest < FIRST_STUMP_END and fell for _, furthest, fell in hard)
    assert max(total for total, _, _ in hard) < -50


# --- rendering ------------------------------------------------------------------------------
def test_rgb_frames_show_the_stumps():
    env = make(render_mode="rgb_array")
    frames = {}
    for task in ([3.0, 0.0], [0.0, 6.0]):
        env.reset(seed=0, options={"task": task})
        frames[tuple(task)] = env.render()
        scroll = env.unwrapped.scroll
    assert frames[(3.0, 0.0)].shape == (VIEWPORT_H, 600, 3)
    ground_row = VIEWPORT_H - int(TERRAIN_HEIGHT * SCALE)
    first_col = int((TRACK_START - scroll) * SCALE) + 2
    band = (slice(ground_row - 38, ground_row - 6), slice(first_col, 598))  # 2.5 steps high

    def white(frame):
        return np.mean(np.all(frame[band] == 255, axis=-1))

    assert white(frames[(3.0, 0.0)]) > 0.8 and white(frames[(0.0, 6.0)]) == 0
