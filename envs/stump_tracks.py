"""``stump-tracks``: BipedalWalker on a track of stumps whose height and spacing are the task.

Stump Tracks come from Portelas, Colas, Hofmann and Oudeyer (CoRL 2019), "Teacher algorithms
for curriculum learning of Deep RL in continuously parameterized environments", and are one of
the two environments of TeachMyAgent (Romac, Portelas, Hofmann, Oudeyer, ICML 2021, "TeachMyAgent:
a Benchmark for Automatic Curriculum Learning in Deep RL"). Facts followed here:

- after a flat start pad of 20 terrain steps, the track alternates a stump and a stretch of
  flat ground ``obstacle_spacing`` metres long (at least 0.01 m) up to 200 terrain steps; a
  stump is one terrain step wide (14/30 m) and ``max(0.05, N(stump_height, 0.1))`` terrain
  steps high: from pebbles at 0 to 1.4 m at 3, 60% of the classic walker's leg length;
- default bounds: height [0, 3], spacing [0, 6]; TeachMyAgent widens them to height [0, 9]
  (mostly unfeasible tasks) or [-3, 3] (mostly feasible: negative means pebbles);
- optional dimensions, as the reference generator offers them: ``stump_width`` (terrain steps,
  each stump ``max(0.05, N(w, 0.1))``), ``stump_rotation`` (radians, counter-clockwise about
  the middle of the stump's base, each ``N(r, 0.1)``) and ``roughness`` (the ground's slope
  changes by ``U(-r, r) / 30`` at every stretch between stumps, pulled back to level);
- BipedalWalker's reward, observation (hull, joints, contacts, 10 lidar rays that see stumps)
  and falls (the hull touching the ground or a stump ends the episode with -100); episodes of
  at most 2000 steps; a return above 230 masters a task; the test set is a 10 x 10 grid
  (of cell centres over height and spacing; optional dimensions at the middle of their bounds).

The walker's body is chosen at construction (:mod:`envs.walker_bodies`). Gymnasium's
BipedalWalker is reused for its constants, world, clouds, rendering and closing; the terrain,
the bodies, reset and step are replaced (the classic body's spaces equal BipedalWalker-v3's).
Two deliberate differences from the reference code: level ground is a single Box2D edge (the
reference's edges also only meet under stumps, where no foot can touch), and a foot's contact
flag counts the fixtures it touches, where BipedalWalker's flag drops as soon as one of two
touched fixtures is left.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import Box2D
import numpy as np
from Box2D.b2 import contactListener
from gymnasium.envs.box2d.bipedal_walker import (
    FPS,
    INITIAL_RANDOM,
    LIDAR_RANGE,
    SCALE,
    SPEED_HIP,
    SPEED_KNEE,
    TERRAIN_GRASS,
    TERRAIN_HEIGHT,
    TERRAIN_LENGTH,
    TERRAIN_STARTPAD,
    TERRAIN_STEP,
    VIEWPORT_H,
    VIEWPORT_W,
    BipedalWalker,
)
from gymnasium.utils import EzPickle
from numpy.typing import NDArray

from aclbench.envs.core import task_from_options
from aclbench.envs.walker_bodies import BODIES, GROUND_CATEGORY, N_LIDAR, Walker
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace

STUMP_STD = 0.1  # standard deviation of each stump's height (and width, rotation) draw
MIN_STUMP = 0.05  # smallest stump height or width, in terrain steps
MIN_SPACING = 0.01  # metres of flat ground between two stumps, at least
TRACK_START = TERRAIN_STARTPAD * TERRAIN_STEP
TRACK_END = TERRAIN_LENGTH * TERRAIN_STEP
FINISH_X = (TERRAIN_LENGTH - TERRAIN_GRASS) * TERRAIN_STEP  # reaching it ends the episode
DEFAULTS = {"stump_width": 1.0, "stump_rotation": 0.0, "roughness": 0.0}
LIDAR_ANGLES = [1.5 * i / N_LIDAR for i in range(N_LIDAR)]
LIDAR_OFFSETS = [(math.sin(a) * LIDAR_RANGE, -math.cos(a) * LIDAR_RANGE) for a in LIDAR_ANGLES]


@dataclass(frozen=True)
class TrackLayout:
    """One generated track. ``ground``: ``n_points`` x 2 polyline (x increasing, metres);
    ``stumps``: ``n_stumps`` x 5 boxes (centre x, centre y, half width, half height, angle)."""

    ground: NDArray[np.float64]
    stumps: NDArray[np.float64]


def generate_layout(
    rng: np.random.Generator,
    stump_height: float,
    obstacle_spacing: float,
    stump_width: float | None = None,
    stump_rotation: float | None = None,
    roughness: float | None = None,
) -> TrackLayout:
    """Draw a track; ``None`` keeps a dimension at the paper's fixed default (no draw)."""
    gap = max(obstacle_spacing, MIN_SPACING)
    min_width = MIN_STUMP if stump_width is not None else 1.0
    n_max = int((TRACK_END - TRACK_START) / (min_width * TERRAIN_STEP + gap)) + 1
    heights = np.maximum(MIN_STUMP, rng.normal(stump_height, STUMP_STD, n_max)) * TERRAIN_STEP
    widths = np.full(n_max, TERRAIN_STEP)
    if stump_width is not None:
        widths *= np.maximum(MIN_STUMP, rng.normal(stump_width, STUMP_STD, n_max))
    angles = np.zeros(n_max)
    if stump_rotation is not None:
        angles = rng.normal(stump_rotation, STUMP_STD, n_max)
    starts = TRACK_START + np.concatenate(([0.0], np.cumsum(widths + gap)[:-1]))
    n = int(np.searchsorted(starts, TRACK_END))
    starts, widths, heights, angles = starts[:n], widths[:n], heights[:n], angles[:n]
    last_x = starts[-1] + widths[-1] + gap
    ys = _ground_heights(rng, n + 1, roughness or 0.0)
    if roughness:
        xs = np.r_[0.0, np.column_stack([starts, starts + widths]).ravel(), last_x]
        ground = np.column_stack([xs, np.r_[ys[0], np.repeat(ys[:-1], 2), ys[-1]]])
    else:  # level ground: one edge under the whole track
        ground = np.array([[0.0, TERRAIN_HEIGHT], [last_x, TERRAIN_HEIGHT]])
    half_h = heights / 2  # centre: half a height up from the base's middle, rotated
    centre_x = starts + widths / 2 - np.sin(angles) * half_h
    centre_y = ys[:-1] + np.cos(angles) * half_h
    stumps = np.column_stack([centre_x, centre_y, widths / 2, half_h, angles])
    return TrackLayout(ground, stumps)


def _ground_heights(rng: np.random.Generator, n: int, roughness: float) -> NDArray[np.float64]:
    """Ground height under each of ``n`` stumps (the last: after the track), BipedalWalker's
    grass dynamics applied once per stretch between stumps."""
    ys = np.full(n, TERRAIN_HEIGHT)
    if not roughness:
        return ys
    kicks = rng.uniform(-roughness, roughness, n - 1) / SCALE
    y, velocity = TERRAIN_HEIGHT, 0.0
    for i, kick in enumerate(kicks.tolist(), start=1):
        velocity = 0.8 * velocity + 0.01 * float(np.sign(TERRAIN_HEIGHT - y)) + kick
        y += velocity
        ys[i] = y
    return ys


class _Contacts(contactListener):
    """Marks feet touching the ground and the hull touching anything (a fall)."""

    def __init__(self, env: StumpTracksEnv) -> None:
        contactListener.__init__(self)
        self.env = env

    def _update(self, contact: Box2D.b2Contact, change: int) -> None:
        for body in (contact.fixtureA.body, contact.fixtureB.body):
            tag = body.userData
            if tag is not None:
                tag.add(change)
                if tag.critical and change > 0:
                    self.env.game_over = True

    def BeginContact(self, contact: Box2D.b2Contact) -> None:
        self._update(contact, +1)

    def EndContact(self, contact: Box2D.b2Contact) -> None:
        self._update(contact, -1)


class _Lidar(Box2D.b2.rayCastCallback):
    """Keeps the closest ground or stump hit along a ray (BipedalWalker-v3's lidar)."""

    def ReportFixture(
        self, fixture: Box2D.b2Fixture, point: Box2D.b2Vec2, normal: Box2D.b2Vec2, fraction: float
    ) -> float:
        if (fixture.filterData.categoryBits & GROUND_CATEGORY) == 0:
            return -1
        self.p2, self.fraction = point, fraction
        return fraction


class StumpTracksEnv(BipedalWalker):
    """A walker on a stump track; the task sets the stumps, ``body`` the walker.

    Args:
        render_mode: ``None``, ``"human"`` or ``"rgb_array"``.
        body: walker name in :data:`envs.walker_bodies.BODIES`: ``"classic"``, ``"short"``,
            ``"long"`` (4 motors, 24-D observation) or ``"quadru"`` (8 motors, 34-D).
        stump_height, obstacle_spacing: task bounds, terrain steps and metres.
        stump_width, stump_rotation, roughness: bounds of optional extra task dimensions;
            ``None`` leaves the dimension out (width 1, rotation 0, roughness 0).
    """

    mastered_threshold = 230.0

    def __init__(
        self,
        render_mode: str | None = None,
        body: str = "classic",
        stump_height: tuple[float, float] = (0.0, 3.0),
        obstacle_spacing: tuple[float, float] = (0.0, 6.0),
        stump_width: tuple[float, float] | None = None,
        stump_rotation: tuple[float, float] | None = None,
        roughness: tuple[float, float] | None = None,
    ) -> None:
        super().__init__(render_mode=render_mode)
        dims = {"stump_height": stump_height, "obstacle_spacing": obstacle_spacing}
        optional = {"stump_width": stump_width, "stump_rotation": stump_rotation}
        optional["roughness"] = roughness
        EzPickle.__init__(self, render_mode=render_mode, body=body, **dims, **optional)
        self.body = BODIES.get(body)
        self.walker = Walker(self.body)
        dims.update({name: bounds for name, bounds in optional.items() if bounds is not None})
        self.task_space = TaskSpace(dims)
        self.task: Task = self.task_space.clip(
            [DEFAULTS.get(name, 0.0) for name in self.task_space.names]
        )
        self.action_space = self.body.action_space()
        self.observation_space = self.body.observation_space()
        self.lidar = [_Lidar() for _ in range(N_LIDAR)]
        self._contacts = _Contacts(self)
        self._motor_speeds = [SPEED_HIP, SPEED_KNEE] * (self.body.n_motors // 2)
        self.game_over = False

    def expert_knowledge(self) -> ExpertKnowledge:
        """TeachMyAgent's (Romac et al. 2021): mastery 230; ADR's thresholds 0 and 180;
        returns scaled with (-150, 350), the ALP-GMM paper's bounds; easy tasks: a Gaussian at
        height 0, spacing 6 (no stumps, or far apart), 10% of each range wide (extra
        dimensions at their defaults)."""
        easy = {name: DEFAULTS.get(name, 0.0) for name in self.task_space.names}
        easy.update(stump_height=0.0, obstacle_spacing=6.0)
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (-150.0, 350.0),
            (0.0, 180.0),
            InitialGaussian.around(self.task_space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        """The paper's 10 x 10 grid over height and spacing (100 tasks); an optional dimension
        stays at the middle of its bounds, so that it does not multiply the set by 10."""
        return self.task_space.grid([10, 10] + [1] * (len(self.task_space) - 2))

    # --- world building ------------------------------------------------------------------
    def _destroy(self) -> None:
        self.world.contactListener = None
        for body in self.terrain:
            self.world.DestroyBody(body)
        self.terrain = []
        self.walker.destroy(self.world)

    def _build_terrain(self, layout: TrackLayout) -> None:
        self.terrain, self.terrain_poly = [], []
        ground = layout.ground.tolist()
        for i, (start, end) in enumerate(zip(ground[:-1], ground[1:], strict=True)):
            self.fd_edge.shape.vertices = [start, end]
            edge = self.world.CreateStaticBody(fixtures=self.fd_edge)
            edge.color1 = edge.color2 = (76, 255 if i % 2 == 0 else 204, 76)
            self.terrain.append(edge)
            self.terrain_poly.append(([start, end, (end[0], 0), (start[0], 0)], (102, 153, 76)))
        for cx, cy, half_w, half_h, angle in layout.stumps.tolist():
            self.fd_polygon.shape.SetAsBox(half_w, half_h, (cx, cy), angle)
            stump = self.world.CreateStaticBody(fixtures=self.fd_polygon)
            stump.color1, stump.color2 = (255, 255, 255), (153, 153, 153)
            self.terrain.append(stump)

    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super(BipedalWalker, self).reset(seed=seed)
        self.task = task_from_options(self, options)
        self._destroy()
        self.world.contactListener = self._contacts
        self.game_over, self.prev_shaping, self.scroll, self.lidar_render = False, None, 0.0, 0
        params = self.task_space.to_dict(self.task)
        self._build_terrain(generate_layout(self.np_random, **params))
        push = self.np_random.uniform(-INITIAL_RANDOM, INITIAL_RANDOM)
        self.walker.build(self.world, TRACK_START / 2, TERRAIN_HEIGHT, push)
        self.hull, self.legs, self.joints = self.walker.hull, self.walker.legs, self.walker.joints
        self.drawlist = self.terrain + self.legs + [self.hull]
        if self.render_mode is not None:  # the generator is left as it was: rendering or
            state = self.np_random.bit_generator.state  # not, the same episodes follow
            self._generate_clouds()
            self.np_random.bit_generator.state = state
        obs = self.step(np.zeros(self.body.n_motors, dtype=np.float32))[0]
        return obs, {"task": self.task.copy()}

    # --- stepping ------------------------------------------------------------------------
    def step(
        self, action: NDArray[np.float32]
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        assert self.hull is not None, "call reset() before step()"
        torque = self.body.motors_torque
        action = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0).tolist()
        for joint, speed, a in zip(self.joints, self._motor_speeds, action, strict=True):
            joint.motorSpeed = speed if a > 0 else (-speed if a < 0 else 0.0)
            joint.maxMotorTorque = torque * abs(a)
        self.world.Step(1.0 / FPS, 6 * 30, 2 * 30)

        pos, vel = self.hull.position, self.hull.linearVelocity
        x, y = pos[0], pos[1]
        for lidar, (dx, dy) in zip(self.lidar, LIDAR_OFFSETS, strict=True):
            lidar.fraction, lidar.p1, lidar.p2 = 1.0, (x, y), (x + dx, y + dy)
            self.world.RayCast(lidar, lidar.p1, lidar.p2)
        angle = self.hull.angle
        state = [
            angle,
            2.0 * self.hull.angularVelocity / FPS,
            0.3 * vel[0] * (VIEWPORT_W / SCALE) / FPS,
            0.3 * vel[1] * (VIEWPORT_H / SCALE) / FPS,
        ]
        joints = self.joints
        for i, foot in enumerate(self.walker.feet):
            hip, knee = joints[2 * i], joints[2 * i + 1]
            state += [hip.angle, hip.speed / SPEED_HIP, knee.angle + 1.0, knee.speed / SPEED_KNEE]
            state.append(1.0 if foot.touching else 0.0)
        state += [lidar.fraction for lidar in self.lidar]
        self.scroll = x - VIEWPORT_W / SCALE / 5

        shaping = 130 * x / SCALE - 5.0 * abs(angle)  # forward progress, head kept level
        reward = 0.0 if self.prev_shaping is None else shaping - self.prev_shaping
        self.prev_shaping = shaping
        reward -= self.body.torque_cost * sum(abs(a) for a in action)
        terminated = False
        if self.game_over or x < 0:
            reward, terminated = -100.0, True
        if x > FINISH_X:
            terminated = True
        if self.render_mode == "human":
            self.render()
        return np.array(state, dtype=np.float32), reward, terminated, False, {}
