"""Water forces on the polygons of a body below a horizontal water surface.

TeachMyAgent's Parkour (Romac et al., ICML 2021) simulates water after iforce2d's Box2D
buoyancy tutorial (https://www.iforce2d.net/b2dtut/buoyancy): for the part of a polygon under
the surface, a buoyancy force (water density x submerged area x -gravity) at the submerged
centroid, and on every edge of the submerged polygon that leads in the motion (outward normal
along the velocity), a drag force against the velocity and a lift force across it, both
proportional to the edge's length, the density and the squared speed, and capped (drag 2000,
lift 500); and a "push" that lets a moving limb swim: for every edge and every motor that
drives the part, the motor's torque turned into a force at the part's centre (about the joint),
``0.05 x edge length x density x (torque + angular momentum)^2`` along its component against
the edge's outward normal, each coordinate capped at 20 (TeachMyAgent's own approximation, which
its code calls wrong; without it the fish barely moves). Parkour's water fills the whole track
below one height, so the submerged polygon is the body's polygon clipped by one half-plane.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import Box2D

DRAG_MOD, LIFT_MOD, PUSH_MOD = 0.25, 0.25, 0.05
MAX_DRAG, MAX_LIFT, MAX_PUSH = 2000.0, 500.0, 20.0
INV_DT = 60.0  # TeachMyAgent reads a motor's torque as its impulse x 60
Point = tuple[float, float]


def clip_below(polygon: list[Point], surface: float) -> list[Point]:
    """The part of a convex polygon (counter-clockwise) with y <= ``surface``, still
    counter-clockwise (Sutherland-Hodgman against one half-plane)."""
    out: list[Point] = []
    n = len(polygon)
    for i in range(n):
        (x0, y0), (x1, y1) = polygon[i - 1], polygon[i]
        in0, in1 = y0 <= surface, y1 <= surface
        if in0 != in1:
            t = (surface - y0) / (y1 - y0)
            out.append((x0 + t * (x1 - x0), surface))
        if in1:
            out.append((x1, y1))
    return out


def centroid_area(polygon: list[Point]) -> tuple[Point, float]:
    """Centroid and area of a simple polygon (shoelace formula)."""
    area = cx = cy = 0.0
    for i in range(len(polygon)):
        (x0, y0), (x1, y1) = polygon[i - 1], polygon[i]
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area *= 0.5
    if area <= 1e-12:
        return (0.0, 0.0), 0.0
    return (cx / (6 * area), cy / (6 * area)), area


@dataclass(frozen=True)
class Immersible:
    """A polygon part for the water: its Box2D body, its vertices in the body's frame, the
    farthest they reach from the body's origin, and the motors that drive it."""

    body: Box2D.b2Body
    vertices: tuple[Point, ...]
    reach: float
    motors: tuple[Box2D.b2RevoluteJoint, ...]


def immersibles(
    parts: Iterable[tuple[Box2D.b2Body, list[Box2D.b2RevoluteJoint]]],
) -> list[Immersible]:
    """One :class:`Immersible` per polygon fixture of ``parts`` (each with its motors)."""
    out = []
    for body, motors in parts:
        for fixture in body.fixtures:
            if fixture.sensor or not hasattr(fixture.shape, "vertices"):
                continue
            vertices = tuple((float(x), float(y)) for x, y in fixture.shape.vertices)
            reach = max(math.hypot(x, y) for x, y in vertices)
            out.append(Immersible(body, vertices, reach, tuple(motors)))
    return out


def apply_water(
    parts: Iterable[Immersible], surface: float, density: float, gravity: float
) -> bool:
    """Apply buoyancy, drag, lift and push to every part below ``surface`` (``gravity``: the
    world's, negative). The forces on a part are summed into one force at its centre of mass
    and one torque. Returns whether any part was in the water."""
    wet = False
    for part in parts:
        body = part.body
        position = body.position
        px, py = position.x, position.y
        if py - part.reach > surface:  # most parts, most steps: dry
            continue
        angle = body.angle
        c, s = math.cos(angle), math.sin(angle)
        polygon = [(px + c * x - s * y, py + s * x + c * y) for x, y in part.vertices]
        submerged = clip_below(polygon, surface)
        if len(submerged) < 3:
            continue
        (bx, by), area = centroid_area(submerged)
        if area == 0.0:
            continue
        wet = True
        centre, velocity = body.worldCenter, body.linearVelocity
        forces = _Forces(centre.x, centre.y)
        forces.add(0.0, -density * area * gravity, bx, by)
        omega = body.angularVelocity
        motion = (velocity.x, velocity.y, omega)
        pushes = [push for joint in part.motors if (push := _motor_push(body, joint))]
        _edge_forces(forces, motion, pushes, submerged, density)
        body.ApplyForceToCenter((forces.fx, forces.fy), True)
        body.ApplyTorque(forces.torque, True)
    return wet


class _Forces:
    """Forces at points, summed as one force at the centre ``(cx, cy)`` and a torque."""

    __slots__ = ("cx", "cy", "fx", "fy", "torque")

    def __init__(self, cx: float, cy: float) -> None:
        self.cx, self.cy, self.fx, self.fy, self.torque = cx, cy, 0.0, 0.0, 0.0

    def add(self, fx: float, fy: float, x: float, y: float) -> None:
        self.fx += fx
        self.fy += fy
        self.torque += (x - self.cx) * fy - (y - self.cy) * fx


def _edge_forces(
    forces: _Forces,
    motion: tuple[float, float, float],
    pushes: list[tuple[Point, Point, float]],
    polygon: list[Point],
    density: float,
) -> None:
    """Drag, lift and push on each edge of the submerged ``polygon`` of a body moving at
    ``motion`` (velocity of its centre, angular velocity)."""
    vcx, vcy, omega = motion
    for i in range(len(polygon)):
        (x0, y0), (x1, y1) = polygon[i - 1], polygon[i]
        length = math.hypot(x1 - x0, y1 - y0)
        if length < 1e-12:
            continue
        ex, ey = (x1 - x0) / length, (y1 - y0) / length
        nx, ny = ey, -ex  # outward normal of a counter-clockwise polygon
        for (fx, fy), (ax, ay), magnitude in pushes:
            push_dot = nx * fx + ny * fy
            if push_dot > 0:
                k = push_dot * PUSH_MOD * length * density * magnitude
                forces.add(_cap(-k * fx, MAX_PUSH), _cap(-k * fy, MAX_PUSH), ax, ay)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        vx, vy = vcx - omega * (my - forces.cy), vcy + omega * (mx - forces.cx)
        speed = math.hypot(vx, vy)
        if speed < 1e-9:
            continue
        ux, uy = vx / speed, vy / speed
        drag_dot = nx * ux + ny * uy
        if drag_dot < 0:
            continue  # a trailing edge
        k = length * density * speed * speed
        drag = min(drag_dot * DRAG_MOD * k, MAX_DRAG)
        lift = min(drag_dot * (ex * ux + ey * uy) * LIFT_MOD * k, MAX_LIFT)
        forces.add(-drag * ux - lift * uy, -drag * uy + lift * ux, mx, my)


def _motor_push(
    body: Box2D.b2Body, joint: Box2D.b2RevoluteJoint
) -> tuple[Point, Point, float] | None:
    """For a motor within its limits: the force its torque puts at the part's centre, the
    point to push (the joint's anchor on the part) and the squared "velocity" of the push."""
    if not joint.lowerLimit < joint.angle < joint.upperLimit:
        return None
    torque = joint.GetMotorTorque(INV_DT)
    centre, anchor = body.worldCenter, joint.anchorB
    lx, ly = centre.x - anchor.x, centre.y - anchor.y
    force = (-torque * ly, torque * lx)  # lever x (-torque), as a 2-D cross product
    velocity = torque + body.inertia * body.angularVelocity
    return force, (anchor.x, anchor.y), velocity * velocity


def _cap(value: float, bound: float) -> float:
    return max(-bound, min(bound, value))
