"""Walker embodiments for Stump Tracks: the classic biped, a short-legged and a long-legged biped,
and a quadruped.

The classic body is Gymnasium's BipedalWalker: hull, two legs of two segments, hip and knee
motors of torque 80. The short biped (legs half as long, same torque) and the quadruped (bigger
hull, two pairs of long legs, torque 300, half the torque cost per motor) are the ``short`` and
``quadru`` walkers of Portelas et al. (CoRL 2019, "Teacher algorithms for curriculum learning of
Deep RL in continuously parameterized environments"), also TeachMyAgent's ``small_bipedal`` and
``big_quadru`` (Romac et al., ICML 2021). The long biped is ours: the classic hull on the
quadruped's legs with twice the classic torque, so the same stumps that stop the short walker are
a step for it.

Every biped has BipedalWalker's 4 motors and 24-D observation, so one policy can be trained on
any of them; the quadruped has 8 motors and a 34-D observation (one 5-value block per leg).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import Box2D
import numpy as np
from Box2D.b2 import fixtureDef, polygonShape, revoluteJointDef
from gymnasium import spaces
from gymnasium.envs.box2d.bipedal_walker import HULL_POLY, SCALE

from aclbench.registry import Registry

N_LIDAR = 10
LEG_DOWN = -8 / SCALE  # hips sit this far below the hull centre (BipedalWalker's value)
WALKER_CATEGORY, GROUND_CATEGORY = 0x0020, 0x0001


@dataclass(frozen=True)
class BodySpec:
    """Geometry and motors of one walker. Lengths are in BipedalWalker's pixels (1/SCALE m).

    ``torque_cost`` is the reward paid per unit of ``|action|`` on each motor per step
    (BipedalWalker: 0.00035 x 80).
    """

    name: str
    description: str
    leg_w: float
    leg_h: float
    motors_torque: float
    torque_cost: float = 0.00035 * 80
    hull: tuple[tuple[float, float], ...] = tuple(HULL_POLY)
    hip_x: tuple[float, ...] = (0.0,)  # hull-local x of each leg pair

    @property
    def n_motors(self) -> int:
        return 4 * len(self.hip_x)

    def observation_space(self) -> spaces.Box:
        """Hull (4), one block per leg (hip angle and speed, knee angle and speed, contact),
        lidar (10): BipedalWalker's bounds, repeated for every leg."""
        hull = [(-math.pi, math.pi), (-5.0, 5.0), (-5.0, 5.0), (-5.0, 5.0)]
        leg = [(-math.pi, math.pi), (-5.0, 5.0), (-math.pi, math.pi), (-5.0, 5.0), (0.0, 5.0)]
        bounds = np.array(hull + leg * (2 * len(self.hip_x)) + [(-1.0, 1.0)] * N_LIDAR)
        return spaces.Box(bounds[:, 0].astype(np.float32), bounds[:, 1].astype(np.float32))

    def action_space(self) -> spaces.Box:
        return spaces.Box(-1.0, 1.0, (self.n_motors,), np.float32)


BODIES: Registry[BodySpec] = Registry("body")
for _spec in (
    BodySpec("classic", "Gymnasium's BipedalWalker", leg_w=8, leg_h=34, motors_torque=80),
    BodySpec("short", "biped with half-length legs", leg_w=8, leg_h=17, motors_torque=80),
    BodySpec("long", "biped, 1.5x longer legs, 2x torque", leg_w=10, leg_h=51, motors_torque=160),
    BodySpec(
        "quadru",
        "quadruped: big hull, 2 pairs of long legs, torque 300 (8 motors, 34-D obs)",
        leg_w=10,
        leg_h=51,
        motors_torque=300,
        torque_cost=0.00035 * 80 / 2,
        hull=((-46, 13), (6, 13), (50, 5), (50, -12), (-46, -12)),
        hip_x=(-0.7 * 48, 0.5 * 48),
    ),
):
    BODIES.add(_spec.name, _spec)


class ContactTag:
    """``userData`` of the hull and of each lower leg: Box2D hands the contact listener new
    Python proxies of its bodies, so state must live in ``userData``, not on the proxy."""

    __slots__ = ("critical", "touching")

    def __init__(self, critical: bool) -> None:
        self.critical = critical  # touching anything ends the episode (the hull)
        self.touching = 0  # fixtures touched now

    def add(self, change: int) -> None:
        self.touching = max(0, self.touching + change)


class Walker:
    """The Box2D bodies of one walker, built from a :class:`BodySpec` at every reset.

    ``legs`` lists upper and lower segments per leg (``[upper0, lower0, upper1, ...]``) and
    ``joints`` the matching hip and knee motors, as BipedalWalker orders them. ``feet`` holds
    the :class:`ContactTag` of each lower segment, in leg order.
    """

    def __init__(self, spec: BodySpec) -> None:
        self.spec = spec
        collide = {"categoryBits": WALKER_CATEGORY, "maskBits": GROUND_CATEGORY}
        hull_vertices = [(x / SCALE, y / SCALE) for x, y in spec.hull]
        self._hull_fd = fixtureDef(
            shape=polygonShape(vertices=hull_vertices), density=5.0, friction=0.1, **collide
        )
        half_w, half_h = spec.leg_w / SCALE / 2, spec.leg_h / SCALE / 2
        upper = polygonShape(box=(half_w, half_h))
        self._upper_fd = fixtureDef(shape=upper, density=1.0, **collide)
        self._lower_fd = fixtureDef(
            shape=polygonShape(box=(0.8 * half_w, half_h)), density=1.0, **collide
        )
        self.hull: Box2D.b2Body | None = None
        self.legs: list[Box2D.b2Body] = []
        self.joints: list[Box2D.b2RevoluteJoint] = []
        self.feet: list[ContactTag] = []

    def build(self, world: Box2D.b2World, x: float, ground_y: float, push: float) -> None:
        """Create the walker standing above ``(x, ground_y)`` with a horizontal ``push`` on the
        hull, placed as BipedalWalker places its own."""
        spec, leg_h = self.spec, self.spec.leg_h / SCALE
        y = ground_y + 2 * leg_h
        self.hull = world.CreateDynamicBody(position=(x, y), fixtures=self._hull_fd)
        self.hull.color1, self.hull.color2 = (127, 51, 229), (76, 76, 127)
        self.hull.userData = ContactTag(critical=True)
        self.hull.ApplyForceToCenter((push, 0.0), True)
        self.legs, self.joints, self.feet = [], [], []
        for hip_x in spec.hip_x:
            anchor_x = hip_x / SCALE
            for side in (-1, +1):
                upper = self._segment(world, x + anchor_x, y - leg_h / 2 - LEG_DOWN, side, False)
                self._joint(world, self.hull, upper, (anchor_x, LEG_DOWN), side, -0.8, 1.1)
                lower = self._segment(world, x + anchor_x, y - 3 * leg_h / 2 - LEG_DOWN, side, True)
                self._joint(world, upper, lower, (0.0, -leg_h / 2), 1, -1.6, -0.1)

    def _segment(
        self, world: Box2D.b2World, x: float, y: float, side: int, lower: bool
    ) -> Box2D.b2Body:
        fd = self._lower_fd if lower else self._upper_fd
        body = world.CreateDynamicBody(position=(x, y), angle=side * 0.05, fixtures=fd)
        body.color1 = (153 - side * 25, 76 - side * 25, 127 - side * 25)
        body.color2 = (102 - side * 25, 51 - side * 25, 76 - side * 25)
        if lower:
            body.userData = ContactTag(critical=False)
            self.feet.append(body.userData)
        self.legs.append(body)
        return body

    def _joint(
        self,
        world: Box2D.b2World,
        parent: Box2D.b2Body,
        child: Box2D.b2Body,
        anchor: tuple[float, float],
        speed: float,
        lower: float,
        upper: float,
    ) -> None:
        joint = revoluteJointDef(
            bodyA=parent,
            bodyB=child,
            localAnchorA=anchor,
            localAnchorB=(0.0, self.spec.leg_h / SCALE / 2),
            enableMotor=True,
            enableLimit=True,
            maxMotorTorque=self.spec.motors_torque,
            motorSpeed=speed,
            lowerAngle=lower,
            upperAngle=upper,
        )
        self.joints.append(world.CreateJoint(joint))

    def destroy(self, world: Box2D.b2World) -> None:
        if self.hull is None:
            return
        world.DestroyBody(self.hull)
        for body in self.legs:
            world.DestroyBody(body)
        self.hull, self.legs, self.joints, self.feet = None, [], [], []
