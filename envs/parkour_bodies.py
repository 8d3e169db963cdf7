"""Parkour's embodiments: walkers (the classic biped, a spider), a climber and a swimmer (fish).

Geometry, motors and survival rules follow TeachMyAgent's bodies (Romac et al., ICML 2021):
the classic biped is Gymnasium's BipedalWalker, built by :class:`envs.walker_bodies.Walker`
(Stump Tracks' body); the others are built here from their parts. Lengths are in pixels
(1/``SCALE`` m).

- ``classic``: BipedalWalker (4 motors, torque 80).
- ``spider``: a square body on 4 legs of 3 segments (12 motors, torque 100).
- ``climber``: TeachMyAgent's ``climbing_profile_chimpanzee``: head, trunk, 2 legs, 2 arms
  ending in a hand and a grasping sensor (10 motors + 2 grasp actions, torque 100); its head,
  trunk and lower legs must not touch the ground.
- ``fish``: a head, 3 body segments and a fin, neutrally buoyant (4 motors, torque 80).

Walkers and climbers die after ``survival_steps`` steps under water, the fish after as many out
of it. A body's observation block is, per motor, its angle and speed (and a contact flag where
the motor moves a foot, a hand, a fin or a body segment), then, per hand, whether it touches a
graspable surface and whether it holds one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import Box2D
from Box2D.b2 import circleShape, fixtureDef, polygonShape, revoluteJointDef, weldJointDef

from aclbench.envs.walker_bodies import BODIES as WALKERS
from aclbench.envs.walker_bodies import ContactTag, Walker
from aclbench.registry import Registry

SCALE = 30.0
SPEED_HIP, SPEED_KNEE, SPEED_HAND = 4.0, 6.0, 8.0
TERRAIN_MASK, ALL_MASK = 0x0001, 0x000F
BODY_CATEGORY = 0x0020
BASE_COST = 0.00035 * 80  # BipedalWalker's torque cost per unit of |action|
Point = tuple[float, float]


class HandTag:
    """``userData`` of a grasping sensor: the graspable fixtures it touches (with Box2D's
    child index, which locates the fixture's box), whether it is ready to grasp (its action
    > 0) and the joint holding it, if any."""

    __slots__ = ("joint", "ready", "touching")

    def __init__(self) -> None:
        self.touching: list[tuple[Box2D.b2Fixture, int]] = []
        self.ready = False
        self.joint: Box2D.b2Joint | None = None


@dataclass
class Motor:
    joint: Box2D.b2RevoluteJoint
    part: Box2D.b2Body  # the part it drives
    speed: float
    contact: ContactTag | None = None  # tag of the part whose contact the motor reports
    angle_offset: float = 0.0


class Body:
    """A built embodiment: parts, motors and hands, and the rules that depend on its kind.

    ``kind`` is ``"walker"``, ``"climber"`` or ``"swimmer"``. ``lidar`` is the span and the
    offset of the 10 rays' angles (TeachMyAgent: down for walkers, up for climbers, all around
    for swimmers). ``parts`` are the polygon bodies that water acts on.
    """

    kind = "walker"
    lidar = (1.5, 0.0)
    motors_torque = 80.0
    torque_cost = BASE_COST
    head_angle_penalty = True
    survival_steps = 600
    n_motors = 0
    n_hands = 0

    def __init__(self) -> None:
        self.head: Box2D.b2Body | None = None
        self.parts: list[Box2D.b2Body] = []
        self.hands: list[Box2D.b2Body] = []
        self.motors: list[Motor] = []

    @property
    def action_size(self) -> int:
        return self.n_motors + self.n_hands

    @property
    def state_size(self) -> int:
        return sum(2 + int(c) for c in self.contact_plan()) + 2 * self.n_hands

    def contact_plan(self) -> list[bool]:
        """Whether each motor reports a contact flag (sizes the observation)."""
        raise NotImplementedError

    def build(self, world: Box2D.b2World, x: float, ground_y: float, ceiling_y: float) -> None:
        raise NotImplementedError

    def activate(self, action: Sequence[float]) -> None:
        torque = self.motors_torque
        for motor, a in zip(self.motors, action, strict=False):
            motor.joint.motorSpeed = math.copysign(motor.speed, a) if a else 0.0
            motor.joint.maxMotorTorque = torque * min(abs(a), 1.0)

    def state(self) -> list[float]:
        out: list[float] = []
        for m in self.motors:
            out += [m.joint.angle + m.angle_offset, m.joint.speed / m.speed]
            if m.contact is not None:
                out.append(1.0 if m.contact.touching else 0.0)
        for hand in self.hands:
            tag = hand.userData
            out += [1.0 if tag.touching else 0.0, 1.0 if tag.joint is not None else 0.0]
        return out

    def water_parts(self) -> list[tuple[Box2D.b2Body, list[Box2D.b2RevoluteJoint]]]:
        """Each polygon part with the motors that drive it (water turns their torque into a
        push)."""
        return [(p, [m.joint for m in self.motors if m.part is p]) for p in self.parts]

    def destroy(self, world: Box2D.b2World) -> None:
        for body in self.parts + self.hands:
            world.DestroyBody(body)
        self.head, self.parts, self.hands, self.motors = None, [], [], []


class Biped(Body):
    """Gymnasium's BipedalWalker, built by Stump Tracks' :class:`Walker`. In Parkour its hull
    may touch the terrain (TeachMyAgent builds its walkers there without a critical hull)."""

    n_motors = 4

    def __init__(self) -> None:
        super().__init__()
        self.walker = Walker(WALKERS.get("classic"))

    def contact_plan(self) -> list[bool]:
        return [False, True, False, True]

    def build(self, world: Box2D.b2World, x: float, ground_y: float, ceiling_y: float) -> None:
        self.walker.build(world, x, ground_y, 0.0)
        hull = self.walker.hull
        assert hull is not None
        hull.userData.critical = False
        self.head, self.parts = hull, [hull, *self.walker.legs]
        feet = iter(self.walker.feet)
        speeds = [SPEED_HIP, SPEED_KNEE] * 2  # joints[k] drives legs[k]
        self.motors = [
            Motor(joint, leg, speed, next(feet) if k % 2 else None, 1.0 * (k % 2))
            for k, (joint, leg, speed) in enumerate(
                zip(self.walker.joints, self.walker.legs, speeds, strict=True)
            )
        ]

    def destroy(self, world: Box2D.b2World) -> None:
        self.walker.destroy(world)
        self.head, self.parts, self.motors = None, [], []


class _Builder:
    """Adds parts and motors to a :class:`Body` (TeachMyAgent's conventions: a segment at
    angle ``a`` extends from its anchor along ``(-sin a, cos a)``)."""

    def __init__(self, body: Body, world: Box2D.b2World, mask: int, density: float) -> None:
        self.body, self.world, self.mask, self.density = body, world, mask, density

    def part(
        self,
        vertices: Sequence[Point],
        position: Point,
        angle: float = 0.0,
        density: float | None = None,
        tag: ContactTag | None = None,
        color: tuple[int, int, int] = (153, 76, 127),
    ) -> Box2D.b2Body:
        fd = fixtureDef(
            shape=polygonShape(vertices=[(vx / SCALE, vy / SCALE) for vx, vy in vertices]),
            density=self.density if density is None else density,
            friction=0.1,
            categoryBits=BODY_CATEGORY,
            maskBits=self.mask,
        )
        part = self.world.CreateDynamicBody(position=position, angle=angle, fixtures=fd)
        part.color1, part.color2 = color, tuple(max(0, c - 50) for c in color)
        part.userData = tag
        self.body.parts.append(part)
        return part

    def motor(
        self,
        parent: Box2D.b2Body,
        child: Box2D.b2Body,
        anchor: Point,
        limits: tuple[float, float],
        speed: float,
        contact: bool = False,
        angle_offset: float = 0.0,
    ) -> None:
        joint = self.world.CreateJoint(
            revoluteJointDef(
                bodyA=parent,
                bodyB=child,
                anchor=anchor,
                enableMotor=True,
                enableLimit=True,
                maxMotorTorque=self.body.motors_torque,
                motorSpeed=1.0,
                lowerAngle=limits[0],
                upperAngle=limits[1],
            )
        )
        if contact and child.userData is None:
            child.userData = ContactTag(critical=False)
        tag = child.userData if contact else None
        self.body.motors.append(Motor(joint, child, speed, tag, angle_offset))


def _box(width: float, height: float) -> list[Point]:
    return [(-width / 2, -height / 2), (width / 2, -height / 2), (width / 2, height / 2),
            (-width / 2, height / 2)]  # fmt: skip


class Spider(Body):
    """TeachMyAgent's spider: a 20-pixel square body on 4 legs of 3 segments (hip, middle and
    knee motors), torque 100, half the classic torque cost per motor."""

    n_motors = 12
    motors_torque = 100.0
    torque_cost = BASE_COST / 2
    LEG = (6.0, 20.0)  # width, length
    ANGLES = (0.25 * math.pi, 0.7 * math.pi, 0.9 * math.pi)  # segments, legs on the left
    LIMITS = (0.1 * math.pi, 0.15 * math.pi, 0.2 * math.pi)

    def contact_plan(self) -> list[bool]:
        return [False, False, True] * 4

    def build(self, world: Box2D.b2World, x: float, ground_y: float, ceiling_y: float) -> None:
        width, length = self.LEG[0], self.LEG[1] / SCALE
        leg_down = 4 / SCALE
        y = ground_y + length + leg_down
        make = _Builder(self, world, ALL_MASK, 1.0)
        main = make.part(_box(20, 20), (x, y), density=5.0, tag=ContactTag(critical=False))
        self.head = main
        for side in (+1, -1, +1, -1):
            parent, anchor = main, (x - side * 10 / SCALE, y - leg_down)
            for k, (angle, limit) in enumerate(zip(self.ANGLES, self.LIMITS, strict=True)):
                a = side * angle
                d = (-math.sin(a) * length, math.cos(a) * length)
                centre = (anchor[0] + d[0] / 2, anchor[1] + d[1] / 2)
                shape = _box(0.8 * width if k == 2 else width, self.LEG[1])
                segment = make.part(shape, centre, angle=a, color=(178, 102, 153))
                speed = SPEED_KNEE if k == 2 else SPEED_HIP
                make.motor(parent, segment, anchor, (-limit, limit), speed, contact=k == 2)
                parent, anchor = segment, (anchor[0] + d[0], anchor[1] + d[1])


class Climber(Body):
    """TeachMyAgent's ``climbing_profile_chimpanzee``: it starts hanging from the ceiling by
    its two hands; an action > 0 on a hand grasps what its sensor touches (the ceiling or a
    creeper), <= 0 lets go. Its head, trunk and lower legs die on touching the ground."""

    kind = "climber"
    lidar = (2.3, 1.5)
    n_motors, n_hands = 10, 2
    motors_torque = 100.0
    torque_cost = BASE_COST / 5
    head_angle_penalty = False
    LIMB, HAND = (8.0, 28.0), (4.0, 8.0)
    LEG_DOWN, ARM_UP = 12.0, 22.0

    def contact_plan(self) -> list[bool]:
        return [False, True, False, True] + [False, False, True] * 2

    def build(self, world: Box2D.b2World, x: float, ground_y: float, ceiling_y: float) -> None:
        limb_h, hand_h = self.LIMB[1] / SCALE, self.HAND[1] / SCALE
        leg_down, arm_up = self.LEG_DOWN / SCALE, self.ARM_UP / SCALE
        y = ceiling_y - (2 * limb_h + arm_up + hand_h)  # trunk centre: hands at the ceiling
        make = _Builder(self, world, TERRAIN_MASK, 1.0)
        head = make.part(
            _box(10, 20), (x, y + 45 / 2 / SCALE + 10 / SCALE + 0.2), density=5.0,
            tag=ContactTag(critical=True), color=(127, 102, 229),
        )  # fmt: skip
        trunk = make.part(
            [(-12, 25), (12, 25), (8, -20), (-8, -20)], (x, y), density=5.0,
            tag=ContactTag(critical=True), color=(127, 102, 229),
        )  # fmt: skip
        world.CreateJoint(
            revoluteJointDef(
                bodyA=head, bodyB=trunk, anchor=(x, y + 45 / 2 / SCALE), enableLimit=True,
                lowerAngle=-0.1 * math.pi, upperAngle=0.1 * math.pi,
            )
        )  # fmt: skip
        self.head = head
        for _ in range(2):  # legs
            hip = (x, y - leg_down)
            upper = make.part(_box(*self.LIMB), (x, hip[1] - limb_h / 2))
            make.motor(trunk, upper, hip, (-0.3 * math.pi, 0.6 * math.pi), SPEED_HIP)
            knee = (x, hip[1] - limb_h)
            lower = make.part(
                _box(0.8 * self.LIMB[0], self.LIMB[1]), (x, knee[1] - limb_h / 2),
                tag=ContactTag(critical=True),
            )  # fmt: skip
            make.motor(upper, lower, knee, (-0.75 * math.pi, -0.1), SPEED_KNEE, True, 1.0)
        for _ in range(2):  # arms
            shoulder = (x, y + arm_up)
            upper = make.part(_box(*self.LIMB), (x, shoulder[1] + limb_h / 2))
            make.motor(trunk, upper, shoulder, (-1.5 * math.pi, 0.0), SPEED_HIP)
            elbow = (x, shoulder[1] + limb_h)
            lower = make.part(_box(0.8 * self.LIMB[0], self.LIMB[1]), (x, elbow[1] + limb_h / 2))
            make.motor(upper, lower, elbow, (0.0, 0.75 * math.pi), SPEED_HIP)
            wrist = (x, elbow[1] + limb_h)
            hand = make.part(_box(*self.HAND), (x, wrist[1] + hand_h / 2))
            make.motor(lower, hand, wrist, (-0.5 * math.pi, 0.5 * math.pi), SPEED_HAND, True)
            tip = (x, wrist[1] + hand_h)
            sensor = world.CreateDynamicBody(
                position=tip,
                fixtures=fixtureDef(
                    shape=circleShape(radius=0.05), density=1.0, isSensor=True,
                    categoryBits=BODY_CATEGORY, maskBits=TERRAIN_MASK,
                ),
            )  # fmt: skip
            sensor.userData = HandTag()
            sensor.color1 = sensor.color2 = (255, 0, 0)
            world.CreateJoint(weldJointDef(bodyA=hand, bodyB=sensor, anchor=tip))
            self.hands.append(sensor)


class Fish(Body):
    """TeachMyAgent's fish: head, 3 body segments (the last one the tail) and a fin, each
    moved by a motor, all as dense as water; it must stay in water."""

    kind = "swimmer"
    lidar = (math.pi, 0.0)
    n_motors = 4
    head_angle_penalty = False
    HEAD = [(-20, 12), (-20, -12), (6, -12), (15, -4), (15, 4), (6, 12)]
    SEGMENTS = (
        [(-8, 9), (-8, -9), (8, -12), (8, 12)],
        [(-8, 4), (-8, -4), (8, -9), (8, 9)],
        [(-4, 2), (-4, -2), (4, -4), (4, 4)],
    )
    SEGMENT_LIMITS = ((-0.1 * math.pi, 0.2 * math.pi), (-0.15 * math.pi, 0.15 * math.pi),
                      (-0.3 * math.pi, 0.3 * math.pi))  # fmt: skip

    def contact_plan(self) -> list[bool]:
        return [True] * 4

    def build(self, world: Box2D.b2World, x: float, ground_y: float, ceiling_y: float) -> None:
        y = ground_y + 9 / SCALE + 1.0
        make = _Builder(self, world, ALL_MASK, 1.0)
        head = make.part(self.HEAD, (x, y), tag=ContactTag(critical=False), color=(127, 102, 229))
        self.head = head
        parent, joint_x, centre_x = head, x - 17.5 / SCALE, x - 17.5 / SCALE - 8 / SCALE
        for k, (shape, limits) in enumerate(zip(self.SEGMENTS, self.SEGMENT_LIMITS, strict=True)):
            segment = make.part(shape, (centre_x, y), color=(127, 102, 229))
            make.motor(parent, segment, (joint_x, y), limits, SPEED_KNEE, contact=True)
            half = 8 / SCALE
            joint_x = centre_x - half
            centre_x = joint_x - (4 / SCALE if k == 1 else half)
            parent = segment
        fin_anchor, a = (x, y - 11 / SCALE + 0.2), -0.2 * math.pi
        half = 10 / SCALE
        fin_centre = (fin_anchor[0] + math.sin(a) * half, fin_anchor[1] - math.cos(a) * half)
        fin = make.part(_box(2, 20), fin_centre, angle=a, color=(127, 102, 229))
        make.motor(head, fin, fin_anchor, (-0.3 * math.pi, 0.2 * math.pi), SPEED_KNEE, True)


BODIES: Registry[Callable[[], Body]] = Registry("body")
BODIES.add("classic", Biped)
BODIES.add("spider", Spider)
BODIES.add("climber", Climber)
BODIES.add("fish", Fish)
