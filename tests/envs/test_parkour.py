"""Parkour: the env protocol, the bodies, water and grasping, and scripted behaviour that
separates easy tasks from hard ones for each kind of body."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # check_env opens a "human" window

import Box2D
import numpy as np
import pytest
from Box2D.b2 import fixtureDef, polygonShape
from gymnasium.utils.env_checker import check_env

from aclbench.envs import ENVS, make_env
from aclbench.envs.parkour import ParkourEnv, make_test_set
from aclbench.envs.parkour_terrain import TERRAIN_HEIGHT, generate_layout
from aclbench.envs.parkour_water import apply_water, centroid_area, clip_below, immersibles
from aclbench.errors import InvalidTaskError, UnknownNameError
from tests.envs.test_stump_tracks import Gait

LATENT = [-0.15, 0.8, 0.1]
DRY = LATENT + [0.0, 1.0, 2.0]  # no water, creepers 1 m long every 2 m
DEEP = LATENT + [1.0, 1.0, 2.0]  # water up to the highest ceiling point
START_X = 10 * 14 / 30  # the body's start, middle of the start pad


def walker_gait():
    """Stump Tracks' scripted gait, fed Parkour's classic-walker observation in Stump Tracks'
    layout (hull, legs, lidar: without the under-water and dead flags)."""
    gait = Gait()
    return lambda obs: gait(np.r_[obs[:4], obs[6:16], obs[16:26]])


def play(env: ParkourEnv, policy, task, seed: int = 0, steps: int = 2000):
    """Return, number of steps, last observation, and the head's furthest x."""
    obs, _ = env.reset(seed=seed, options={"task": task})
    total, furthest, step = 0.0, 0.0, 0
    while step < steps:
        step += 1
        obs, reward, terminated, _, _ = env.step(np.asarray(policy(obs), dtype=np.float32))
        total += reward
        furthest = max(furthest, env.body.head.position[0])
        if terminated:
            break
    return total, step, obs, furthest


# --- protocol -------------------------------------------------------------------------------
def test_registered_with_teachmyagents_task_space_and_protocol():
    for name, body, size in (("parkour", "classic", 36), ("parkour-climber", "climber", 54)):
        env = make_env(name)
        assert env.spec.max_episode_steps == 2000 and env.spec.kwargs["body"] == body
        assert env.observation_space.shape == (size,)
    inner = make_env("parkour-fish").unwrapped
    space = inner.task_space
    assert space.names == (
        "latent_0",
        "latent_1",
        "latent_2",
        "water_level",
        "creepers_height",
        "creepers_spacing",
    )
    np.testing.assert_allclose(space.low, [-0.35, 0.6, -0.1, 0, 0, 0])
    np.testing.assert_allclose(space.high, [0.05, 1.0, 0.3, 1, 4, 5])
    assert inner.mastered_threshold == 230 and "parkour-fish" in ENVS


@pytest.mark.parametrize("name", ["walking", "climbing", "swimming"])
def test_test_sets_are_seeded_and_fit_their_milieu(name):
    tasks = make_test_set(name)
    assert tasks.shape == (100, 6) and np.array_equal(tasks, make_test_set(name))
    space = ParkourEnv().task_space
    assert all(space.contains(t) for t in tasks)
    layouts = [
        generate_layout(ParkourEnv().cppn, np.random.default_rng(0), t[:3], *t[3:]) for t in tasks
    ]
    if name == "walking":
        assert all(lay.water_y < lay.ground.min() for lay in layouts)
    elif name == "climbing":
        assert all(lay.water_y < lay.ceiling.min() for lay in layouts)
    else:
        assert all(lay.water_y > lay.ground.max() for lay in layouts)
    assert len({tuple(t) for t in tasks}) == 100


def test_each_body_gets_its_milieus_test_set():
    assert np.array_equal(make_env("parkour").unwrapped.test_tasks(), make_test_set("walking"))
    assert np.array_equal(
        make_env("parkour-fish").unwrapped.test_tasks(), make_test_set("swimming")
    )
    chosen = make_env("parkour", test_set="climbing").unwrapped.test_tasks()
    assert np.array_equal(chosen, make_test_set("climbing"))


@pytest.mark.parametrize(
    "task, match",
    [
        (LATENT + [1.5, 1.0, 2.0], r"'water_level' = 1\.5 is outside its bounds \[0, 1\]"),
        ([0.5, 0.8, 0.1, 0.0, 1.0, 2.0], r"'latent_0' = 0\.5 is outside"),
        (LATENT + [0.0, 1.0, 9.0], "creepers_spacing"),
    ],
)
def test_invalid_task_is_a_value_error_naming_the_dimension(task, match):
    with pytest.raises(ValueError, match=match) as info:
        make_env("parkour").reset(seed=0, options={"task": task})
    assert isinstance(info.value, InvalidTaskError)


def test_bad_constructor_arguments_say_what_is_allowed():
    with pytest.raises(UnknownNameError, match="classic.*climber.*fish.*spider"):
        ParkourEnv(body="wheel")
    with pytest.raises(ValueError, match="unknown task dimensions.*'water'"):
        ParkourEnv(water=(0.0, 1.0))
    with pytest.raises(ValueError, match="test_set must be one of"):
        ParkourEnv(test_set="flying")


def test_spider_passes_check_env_and_replays_its_episodes():
    check_env(ParkourEnv(body="spider"), skip_render_check=True)
    actions = np.random.default_rng(0).uniform(-1, 1, (100, 12))

    def episode():
        env = ParkourEnv(body="spider")
        env.reset(seed=3, options={"task": DRY})
        return np.array([env.step(a)[0] for a in actions])

    assert np.array_equal(episode(), episode())


def test_bodies_have_their_motors_and_observations():
    shapes = {}
    for body in ("classic", "spider", "climber", "fish"):
        env = ParkourEnv(body=body)
        obs, _ = env.reset(seed=0, options={"task": DRY})
        shapes[body] = (env.action_space.shape[0], obs.shape[0])
    # (motors + hands, 6 head values + motors' angle/speed(/contact) + hands + 20 lidar values)
    assert shapes == {"classic": (4, 36), "spider": (12, 54), "climber": (12, 54), "fish": (4, 38)}


# --- water physics --------------------------------------------------------------------------
def test_clipping_and_centroid_by_hand():
    square = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    below = clip_below(square, 0.5)
    assert sorted(below) == sorted([(0.0, 0.0), (2.0, 0.0), (2.0, 0.5), (0.0, 0.5)])
    (cx, cy), area = centroid_area(below)
    assert (cx, cy, area) == pytest.approx((1.0, 0.25, 1.0))
    assert clip_below(square, -1.0) == []


@pytest.mark.parametrize("density, floats", [(0.5, True), (2.0, False)])
def test_a_box_lighter_than_water_floats_and_a_denser_one_sinks(density, floats):
    world = Box2D.b2World()
    box = world.CreateDynamicBody(
        position=(0.0, 0.0),
        fixtures=fixtureDef(shape=polygonShape(box=(0.5, 0.5)), density=density),
    )
    for _ in range(300):
        world.Step(1 / 50, 180, 60)
        apply_water(immersibles([(box, [])]), 0.0, 1.0, world.gravity[1])
    depth = box.position[1]
    if floats:  # at rest half-submerged: its centre at the surface
        assert depth == pytest.approx(0.0, abs=0.05) and abs(box.linearVelocity[1]) < 0.1
    else:  # sinking, slowed by drag to a steady speed well below free fall
        assert depth < -5.0 and -10.0 < box.linearVelocity[1] < -1.0


# --- behaviour ------------------------------------------------------------------------------
def test_walker_walks_on_a_dry_track_and_drowns_in_deep_water():
    env = ParkourEnv()
    total, steps, obs, furthest = play(env, walker_gait(), DRY, steps=800)
    assert furthest > START_X + 8.0 and obs[5] == 0 and steps == 800
    total, steps, obs, furthest = play(env, walker_gait(), DEEP)
    assert obs[4] == 1 and obs[5] == 1 and steps == 601  # under water, dead after 600 steps
    assert furthest < START_X + 3.0 and total > -100  # death costs no penalty


def fish_gait(period: int = 10, phase: float = -0.8):
    """A travelling wave along the fish's body: bang-bang motors, each a phase behind."""
    step = iter(range(10**9))

    def policy(obs: np.ndarray) -> np.ndarray:
        t = 2 * np.pi * next(step) / period
        return np.r_[np.sign(np.sin([t, t - phase, t - 2 * phase])), 0.0]

    return policy


def test_fish_swims_forward_in_deep_water_and_dies_on_land():
    env = ParkourEnv(body="fish")
    _, steps, obs, furthest = play(env, fish_gait(), DEEP, steps=400)
    assert furthest > START_X + 5.0 and obs[4] == 1 and obs[5] == 0
    still, _, _, still_x = play(env, lambda o: np.zeros(4), DEEP, steps=400)
    assert still_x < START_X + 0.5
    _, steps, obs, furthest = play(env, fish_gait(), DRY)
    assert steps == 601 and obs[4] == 0 and obs[5] == 1 and furthest < START_X + 2.0


def test_climber_holds_the_ceiling_with_closed_hands_and_falls_to_death_with_open_ones():
    env = ParkourEnv(body="climber")
    closed = np.r_[np.zeros(10), 1.0, 1.0]
    _, steps, obs, _ = play(env, lambda o: closed, DRY, steps=300)
    ceiling = env.layout.ceiling[0]
    assert steps == 300 and env.body.head.position[1] > ceiling - 3.0
    assert obs[6 + 24 + 1] == 1 and obs[6 + 24 + 3] == 1  # both hands hold on
    open_hands = np.r_[np.zeros(10), -1.0, -1.0]
    total, steps, obs, _ = play(env, lambda o: open_hands, DRY, steps=300)
    assert steps < 300 and env.game_over and total < -90  # fell 20 m: legs on the ground
    assert env.body.head.position[1] < TERRAIN_HEIGHT + 5.0
    assert obs[6 + 24 + 1] == 0 and obs[6 + 24 + 3] == 0


def test_lidar_flags_creepers_above_a_climber_and_water_below_a_walker():
    climber = ParkourEnv(body="climber")
    obs, _ = climber.reset(seed=0, options={"task": LATENT + [0.0, 4.0, 0.0]})
    assert np.any(obs[-10:] == 1.0)  # dense long creepers hang around the climber
    walker = ParkourEnv()
    walker.reset(seed=0, options={"task": DRY})
    top = walker.layout.ceiling.max()
    level = (TERRAIN_HEIGHT + 0.4 + 100) / (top + 100)  # 40 cm of water on the start pad
    obs, _ = walker.reset(seed=0, options={"task": LATENT + [level, 1.0, 2.0]})
    assert obs[4] == 0 and np.any(obs[-10:] == -1.0)
    assert not np.any(ParkourEnv().reset(seed=0, options={"task": DRY})[0][-10:] == -1.0)


# --- rendering ------------------------------------------------------------------------------
def test_rgb_frames_show_water_creepers_and_lidar():
    env = ParkourEnv(body="climber", render_mode="rgb_array")
    env.reset(seed=0, options={"task": LATENT + [0.0, 4.0, 0.0]})
    dry = env.render()
    assert dry.shape == (400, 600, 3)

    def share(frame, color):
        return np.mean(np.all(np.abs(frame.astype(int) - color) < 8, axis=-1))

    assert share(dry, (111, 128, 96)) > 0.01  # creepers
    assert share(dry, (255, 0, 0)) > 0.0005  # lidar rays
    walker = ParkourEnv(render_mode="rgb_array")
    walker.reset(seed=0, options={"task": DEEP})
    wet = walker.render()
    sky = (230, 230, 255)
    assert share(wet, sky) == 0 and share(dry, sky) > 0.1  # under water, no clear sky
