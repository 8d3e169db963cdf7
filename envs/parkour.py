"""``parkour``: TeachMyAgent's Parkour, a CPPN-generated track with a ceiling, water and creepers.

Parkour is the open-ended environment of TeachMyAgent (Romac, Portelas, Hofmann and Oudeyer,
ICML 2021, "TeachMyAgent: a Benchmark for Automatic Curriculum Learning in Deep RL"). Facts
followed here:

- the task has 6 dimensions: the CPPN's 3-D latent (``latent_0`` in [-0.35, 0.05],
  ``latent_1`` in [0.6, 1], ``latent_2`` in [-0.1, 0.3]: TeachMyAgent's "medium" input space),
  ``water_level`` in [0, 1] (fraction of the height from y = -100 m to the highest ceiling
  point), ``creepers_height`` in [0, 4] m and ``creepers_spacing`` in [0, 5] m (creepers 0.25 m
  wide); the track is drawn by :mod:`envs.parkour_terrain`;
- bodies (:mod:`envs.parkour_bodies`): walkers, a climber that grasps the ceiling and creepers,
  a fish; water (:mod:`envs.parkour_water`) pushes every polygon in it; walkers and climbers
  die after 600 steps with their head under water, the fish after 600 out of it;
- observation: head angle, angular speed, x and y speeds, under water (0/1), dead (0/1), the
  body's motors (and grasping hands), then 10 lidar fractions and 10 flags of what each ray hit
  (water -1, creeper +1, else 0); lidar rays see the ground, the ceiling, water and creepers;
- reward: ``130 * dx / SCALE`` minus ``5 * |head angle|`` changes (walkers only) minus the
  body's torque cost per ``|action|``; -100 and the end of the episode when a critical part
  touches the ground (the climber's head, trunk or lower legs: walkers' hulls are not critical
  in Parkour) or the head goes back past x = 0; the episode is won past the finish line, and
  lasts at most 2000 steps; a return above 230 masters a task;
- test sets of 100 tasks (:func:`make_test_set`): walking, climbing and swimming.

One deliberate difference: TeachMyAgent keeps a dead body in the episode with its motors off
until the time limit; here death ends the episode (no penalty), the "dead" flag set in the last
observation, which spares the up to 1400 steps of a drowned walker.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import Box2D
import gymnasium as gym
import numpy as np
from Box2D.b2 import contactListener, edgeShape, fixtureDef, polygonShape
from gymnasium import spaces
from gymnasium.utils import EzPickle
from numpy.typing import NDArray

from aclbench.envs.core import task_from_options
from aclbench.envs.parkour_bodies import BODIES, Body, HandTag
from aclbench.envs.parkour_cppn import LATENT_BOUNDS, TerrainCPPN
from aclbench.envs.parkour_terrain import (
    GROUND_LIMIT,
    SCALE,
    STARTPAD,
    TERRAIN_HEIGHT,
    TERRAIN_STEP,
    ParkourLayout,
    generate_layout,
)
from aclbench.envs.parkour_water import Immersible, apply_water, immersibles
from aclbench.expert_knowledge import ExpertKnowledge, InitialGaussian
from aclbench.task_space import Task, TaskSpace

FPS = 50
VIEWPORT_W, VIEWPORT_H = 600, 400
N_LIDAR = 10
LIDAR_RANGE = 160 / SCALE
INITIAL_RANDOM = 5.0
FRICTION = 2.5
WATER_DENSITY = 1.0
HANG_STEPS = 5  # steps a climber hangs from the ceiling before the episode starts
TASK_BOUNDS = {
    "latent_0": LATENT_BOUNDS[0],
    "latent_1": LATENT_BOUNDS[1],
    "latent_2": LATENT_BOUNDS[2],
    "water_level": (0.0, 1.0),
    "creepers_height": (0.0, 4.0),
    "creepers_spacing": (0.0, 5.0),
}
TEST_SETS = {"walker": "walking", "climber": "climbing", "swimmer": "swimming"}
TEST_SEEDS = {"walking": 31, "climbing": 32, "swimming": 33}
CLIMBER_REACH = 3.0  # metres below the ceiling a hanging climber's head may reach


class Surface:
    """``userData`` of a terrain body: ``"ground"``, ``"ceiling"``, ``"creeper"``, ``"water"``."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


GRIP = ("ceiling", "creeper")


def make_test_set(name: str, space: TaskSpace | None = None) -> NDArray[np.float64]:
    """100 tasks (``n_tasks`` x 6), seeded: uniform draws over ``space`` kept when the track
    suits the milieu. ``walking``: the water stays below all the ground; ``climbing``: it
    stays ``CLIMBER_REACH`` m below all the ceiling; ``swimming``: it covers all the ground by
    1 m at least. Tasks are listed by rising water surface. (TeachMyAgent ships three 100-task
    sets under these names, drawn for its own CPPN weights; these are drawn for ours.)"""
    space = TaskSpace(TASK_BOUNDS) if space is None else space
    return _test_set(name, tuple(space.low.tolist()), tuple(space.high.tolist())).copy()


@functools.lru_cache(maxsize=16)
def _test_set(name: str, low: tuple[float, ...], high: tuple[float, ...]) -> NDArray[np.float64]:
    if name not in TEST_SEEDS:
        raise ValueError(f"test_set must be one of {sorted(TEST_SEEDS)}, got {name!r}")
    space = TaskSpace(dict(zip(TASK_BOUNDS, zip(low, high, strict=True), strict=True)))
    rng, cppn = np.random.default_rng(TEST_SEEDS[name]), TerrainCPPN()
    tasks: list[NDArray[np.float64]] = []
    surfaces: list[float] = []
    while len(tasks) < 100:
        task = space.sample(rng)
        layout = generate_layout(cppn, np.random.default_rng(0), task[:3], *task[3:])
        if name == "walking":
            keep = layout.water_y < layout.ground.min()
        elif name == "climbing":
            keep = layout.water_y < layout.ceiling.min() - CLIMBER_REACH
        else:
            keep = layout.water_y > layout.ground.max() + 1.0
        if keep:
            tasks.append(task)
            surfaces.append(layout.water_y)
    return np.array(tasks)[np.argsort(surfaces, kind="stable")]


def _corners(x: NDArray[np.float64], y: NDArray[np.float64]) -> list[tuple[float, float]]:
    """The points of a polyline where its slope changes (and its two ends)."""
    slopes = np.diff(y) / np.diff(x)
    keep = np.r_[True, np.abs(np.diff(slopes)) > 1e-9, True]
    return list(zip(x[keep].tolist(), y[keep].tolist(), strict=True))


class _Contacts(contactListener):
    """Counts the contacts of tagged parts, ends the episode on a critical one, and keeps
    each hand's list of graspable fixtures it touches. Sensor contacts (water, creepers)
    never count as touching."""

    def __init__(self, env: ParkourEnv) -> None:
        contactListener.__init__(self)
        self.env = env

    def _update(self, contact: Box2D.b2Contact, begin: bool) -> None:
        fa, fb = contact.fixtureA, contact.fixtureB
        sides = ((fa, fb, contact.childIndexB), (fb, fa, contact.childIndexA))
        for mine, other, child in sides:
            tag = mine.body.userData
            if isinstance(tag, HandTag):
                surface = other.body.userData
                if isinstance(surface, Surface) and surface.kind in GRIP:
                    if begin:
                        tag.touching.append((other, child))
                    elif (other, child) in tag.touching:
                        tag.touching.remove((other, child))
        if fa.sensor or fb.sensor:
            return
        for mine, other in ((fa, fb), (fb, fa)):
            tag = mine.body.userData
            if tag is None or isinstance(tag, (Surface, HandTag)):
                continue
            tag.add(1 if begin else -1)
            if begin and tag.critical:
                surface = other.body.userData
                if not (isinstance(surface, Surface) and surface.kind in GRIP):
                    self.env.game_over = True

    def BeginContact(self, contact: Box2D.b2Contact) -> None:
        self._update(contact, True)

    def EndContact(self, contact: Box2D.b2Contact) -> None:
        self._update(contact, False)


class _Lidar(Box2D.b2.rayCastCallback):
    """The closest terrain hit along a ray, and what it is (-1 water, +1 creeper, 0 else)."""

    def ReportFixture(
        self, fixture: Box2D.b2Fixture, point: Box2D.b2Vec2, normal: Box2D.b2Vec2, fraction: float
    ) -> float:
        if not isinstance(fixture.body.userData, Surface):
            return -1
        self.p2, self.fraction = point, fraction
        self.surface = SURFACE_FLAGS.get(fixture.body.userData.kind, 0.0)
        return fraction


SURFACE_FLAGS = {"water": -1.0, "creeper": 1.0}


class ParkourEnv(gym.Env[NDArray[np.float32], NDArray[np.float32]], EzPickle):
    """A body on a Parkour track; the task sets the terrain, water and creepers.

    Args:
        render_mode: ``None``, ``"human"`` or ``"rgb_array"``.
        body: ``"classic"``, ``"spider"``, ``"climber"`` or ``"fish"``
            (:data:`envs.parkour_bodies.BODIES`).
        test_set: ``"walking"``, ``"climbing"`` or ``"swimming"``; default: the body's milieu.
        **bounds: ``name=(low, high)`` narrowing a task dimension (names in ``TASK_BOUNDS``).
    """

    metadata = {"render_modes": ["human", "rgb_array"], "render_fps": FPS}
    mastered_threshold = 230.0

    def __init__(
        self,
        render_mode: str | None = None,
        body: str = "classic",
        test_set: str | None = None,
        **bounds: tuple[float, float],
    ) -> None:
        EzPickle.__init__(self, render_mode=render_mode, body=body, test_set=test_set, **bounds)
        unknown = sorted(set(bounds) - set(TASK_BOUNDS))
        if unknown:
            raise ValueError(f"unknown task dimensions {unknown}; known: {list(TASK_BOUNDS)}")
        self.render_mode = render_mode
        self.body: Body = BODIES.get(body)()
        self.test_set_name = TEST_SETS[self.body.kind] if test_set is None else test_set
        if self.test_set_name not in TEST_SEEDS:
            raise ValueError(f"test_set must be one of {sorted(TEST_SEEDS)}, got {test_set!r}")
        self.task_space = TaskSpace({**TASK_BOUNDS, **bounds})
        self.task: Task = self.task_space.clip(np.zeros(len(self.task_space)))
        self.action_space = spaces.Box(-1.0, 1.0, (self.body.action_size,), np.float32)
        size = 6 + self.body.state_size + 2 * N_LIDAR
        self.observation_space = spaces.Box(-np.inf, np.inf, (size,), np.float32)
        self.cppn = TerrainCPPN()
        self.world = Box2D.b2World()
        self.terrain: list[Box2D.b2Body] = []
        self.lidar = [_Lidar() for _ in range(N_LIDAR)]
        span, offset = self.body.lidar
        angles = [span * i / N_LIDAR + offset for i in range(N_LIDAR)]
        self._lidar_offsets = [
            (math.sin(a) * LIDAR_RANGE, -math.cos(a) * LIDAR_RANGE) for a in angles
        ]
        self._contacts = _Contacts(self)
        self._fd_edge = fixtureDef(shape=edgeShape(vertices=[(0, 0), (1, 0)]), friction=FRICTION)
        self._fd_sensor = fixtureDef(shape=polygonShape(box=(1, 1)), isSensor=True)
        self._test_tasks: NDArray[np.float64] | None = None
        self._water_parts: list[Immersible] = []
        self.layout: ParkourLayout | None = None
        self.game_over, self.prev_shaping = False, None
        self.steps_in_water = self.steps_out_of_water = 0
        self.scroll = (0.0, 0.0)
        self.screen: Any = None
        self.clock: Any = None

    def expert_knowledge(self) -> ExpertKnowledge:
        """As Stump Tracks' (TeachMyAgent's walker values): mastery 230, ADR's thresholds 0 and
        180, returns scaled with (-150, 350); easy tasks: a Gaussian at the middle of the
        latent space, with the lowest water and creepers as short and far apart as the space
        allows, 10% of each range wide. Ours, not TeachMyAgent's, which defines none for
        Parkour."""
        space = self.task_space
        middle = (space.low + space.high) / 2
        easy = dict(zip(space.names, middle.tolist()))
        easy.update(
            water_level=float(space.low[space.names.index("water_level")]),
            creepers_height=float(space.low[space.names.index("creepers_height")]),
            creepers_spacing=float(space.high[space.names.index("creepers_spacing")]),
        )
        return ExpertKnowledge.from_mastery(
            self.mastered_threshold,
            (-150.0, 350.0),
            (0.0, 180.0),
            InitialGaussian.around(space, easy),
        )

    def test_tasks(self) -> NDArray[np.float64]:
        """The body's milieu's test set (:func:`make_test_set`), the same on every call."""
        if self._test_tasks is None:
            self._test_tasks = make_test_set(self.test_set_name, self.task_space)
        return self._test_tasks.copy()

    # --- world building ------------------------------------------------------------------
    def _new_world(self) -> None:
        """A fresh Box2D world: contacts are solved in an order that depends on the world's
        history (past terrains), so reusing one would make the same (seed, task) play
        differently after different episodes."""
        self.world.contactListener = None
        self.body.destroy(self.world)
        self.world = Box2D.b2World(contactListener=self._contacts)
        self.terrain = []

    def _static(self, kind: str, fd: fixtureDef, shapes: list[list[tuple[float, float]]]) -> None:
        """One static body of ``kind``, with a fixture ``fd`` per list of vertices (one
        fixture definition reused: building hundreds of them was most of a reset)."""
        body = self.world.CreateStaticBody()
        body.userData = Surface(kind)
        for vertices in shapes:
            fd.shape.vertices = vertices
            body.CreateFixture(fd)
        self.terrain.append(body)

    def _build_terrain(self, layout: ParkourLayout) -> None:
        # Two-sided edges, one per straight stretch: Box2D's chain shapes, or a vertex under
        # a foot on level ground, made BipedalWalker slide backwards on the start pad.
        for kind, ys in (("ground", layout.ground), ("ceiling", layout.ceiling)):
            points = _corners(layout.x, ys)
            self._static(kind, self._fd_edge, [list(p) for p in zip(points[:-1], points[1:])])
        boxes = [
            [(x0, top), (x1, top), (x1, bottom), (x0, bottom)]
            for x0, x1, top, bottom in layout.creepers.tolist()
        ]
        self._static("creeper", self._fd_sensor, boxes)
        x0, x1, top = float(layout.x[0]), float(layout.x[-1]), layout.water_y
        water = [(x0, GROUND_LIMIT), (x1, GROUND_LIMIT), (x1, top), (x0, top)]
        self._static("water", self._fd_sensor, [water])

    def reset(
        self, *, seed: int | None = None, options: Mapping[str, Any] | None = None
    ) -> tuple[NDArray[np.float32], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = task_from_options(self, options)
        self._new_world()
        self.game_over, self.prev_shaping = False, None
        params = self.task_space.to_dict(self.task)
        latent = np.array([params["latent_0"], params["latent_1"], params["latent_2"]])
        self.layout = generate_layout(
            self.cppn,
            self.np_random,
            latent,
            params["water_level"],
            params["creepers_height"],
            params["creepers_spacing"],
        )
        self._build_terrain(self.layout)
        start_x = TERRAIN_STEP * STARTPAD / 2
        self.body.build(self.world, start_x, TERRAIN_HEIGHT, float(self.layout.ceiling[0]))
        self._water_parts = immersibles(self.body.water_parts())
        head = self.body.head
        assert head is not None
        if self.body.kind != "swimmer":
            push = self.np_random.uniform(-INITIAL_RANDOM, INITIAL_RANDOM)
            head.ApplyForceToCenter((push, 0.0), True)
        action = np.zeros(self.body.action_size)
        action[self.body.n_motors :] = 1.0  # hands grasp the ceiling
        for _ in range(HANG_STEPS if self.body.kind == "climber" else 0):
            self._physics(action)
        self.steps_in_water = self.steps_out_of_water = 0
        obs = self.step(action.astype(np.float32))[0]
        self.steps_in_water = self.steps_out_of_water = 0
        return obs, {"task": self.task.copy()}

    # --- stepping ------------------------------------------------------------------------
    def _physics(self, action: NDArray[np.float64]) -> None:
        body = self.body
        body.activate(action[: body.n_motors].tolist())
        for hand, a in zip(body.hands, action[body.n_motors :].tolist(), strict=True):
            tag = hand.userData
            tag.ready = a > 0
            if not tag.ready and tag.joint is not None:
                self.world.DestroyJoint(tag.joint)
                tag.joint = None
        self.world.Step(1.0 / FPS, 6 * 30, 2 * 30)
        for hand in body.hands:
            self._grasp(hand)
        assert self.layout is not None
        apply_water(self._water_parts, self.layout.water_y, WATER_DENSITY, self.world.gravity[1])

    def _grasp(self, hand: Box2D.b2Body) -> None:
        """A ready hand that touches a graspable fixture holds on to it (a revolute joint at
        the hand), if the hand is still within the fixture's box after the solver moved it."""
        tag = hand.userData
        if not tag.ready or tag.joint is not None:
            return
        cx, cy = hand.worldCenter
        radius = 0.05 + 0.01
        # Box2D reports contacts in an order that depends on the world's past episodes: try
        # the touched fixtures from left to right, so that the same episode grasps the same.
        for fixture, child in sorted(tag.touching, key=lambda t: t[0].GetAABB(t[1]).lowerBound[0]):
            box = fixture.GetAABB(child)
            (lx, ly), (ux, uy) = box.lowerBound, box.upperBound
            if lx - radius < cx < ux + radius and ly - radius < cy < uy + radius:
                tag.joint = self.world.CreateRevoluteJoint(
                    bodyA=hand, bodyB=fixture.body, anchor=(cx, cy)
                )
                return
            tag.touching.remove((fixture, child))

    def step(
        self, action: NDArray[np.float32]
    ) -> tuple[NDArray[np.float32], float, bool, bool, dict[str, Any]]:
        assert self.layout is not None and self.body.head is not None, "call reset() first"
        action_64 = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
        self._physics(action_64)
        body, head = self.body, self.body.head
        x, y = head.position
        for lidar, (dx, dy) in zip(self.lidar, self._lidar_offsets, strict=True):
            lidar.fraction, lidar.surface, lidar.p1, lidar.p2 = 1.0, 0.0, (x, y), (x + dx, y + dy)
            self.world.RayCast(lidar, lidar.p1, lidar.p2)
        under = y <= self.layout.water_y
        if under:
            self.steps_in_water, self.steps_out_of_water = self.steps_in_water + 1, 0
        else:
            self.steps_in_water, self.steps_out_of_water = 0, self.steps_out_of_water + 1
        drowning = self.steps_out_of_water if body.kind == "swimmer" else self.steps_in_water
        dead = drowning > body.survival_steps
        vel, angle = head.linearVelocity, head.angle
        state = [
            angle,
            2.0 * head.angularVelocity / FPS,
            0.3 * vel[0] * (VIEWPORT_W / SCALE) / FPS,
            0.3 * vel[1] * (VIEWPORT_H / SCALE) / FPS,
            1.0 if under else 0.0,
            1.0 if dead else 0.0,
            *body.state(),
            *[lidar.fraction for lidar in self.lidar],
            *[lidar.surface for lidar in self.lidar],
        ]
        self.scroll = (x - VIEWPORT_W / SCALE / 5, y - VIEWPORT_H / SCALE / 5 - TERRAIN_HEIGHT)

        shaping = 130 * x / SCALE
        if body.head_angle_penalty:
            shaping -= 5.0 * abs(angle)
        reward = 0.0 if self.prev_shaping is None else shaping - self.prev_shaping
        self.prev_shaping = shaping
        reward -= body.torque_cost * float(np.abs(action_64).sum())
        terminated = dead or x > self.layout.finish_x
        if self.game_over or x < 0:
            reward, terminated = -100.0, True
        if self.render_mode == "human":
            self.render()
        return np.array(state, dtype=np.float32), reward, terminated, False, {}

    # --- rendering -----------------------------------------------------------------------
    def render(self) -> NDArray[np.uint8] | None:
        from aclbench.envs.parkour_view import render

        return render(self)

    def close(self) -> None:
        if self.screen is not None:
            import pygame

            pygame.display.quit()
            pygame.quit()
            self.screen = None
