"""Drawing a Parkour episode with pygame, as Gymnasium's Box2D envs draw theirs.

The view follows the body's head in x and y (the track climbs and dives by tens of metres):
sky, ground and ceiling filled, water over the terrain (drawn see-through), creepers, the body
(a hand that holds on is yellow) and the 10 lidar rays.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from aclbench.envs.parkour_bodies import Body
from aclbench.envs.parkour_terrain import CEILING_LIMIT, GROUND_LIMIT, SCALE, ParkourLayout


class Scene(Protocol):
    """What the view reads from the env (:class:`envs.parkour.ParkourEnv`), and the pygame
    window and clock it keeps there."""

    render_mode: str | None
    metadata: dict[str, Any]
    scroll: tuple[float, float]
    layout: ParkourLayout | None
    lidar: list[Any]
    body: Body
    screen: Any
    clock: Any


SKY, GROUND, GRASS = (230, 230, 255), (102, 153, 76), (76, 255, 76)
CEILING, ROCK = (128, 128, 128), (0, 64, 64)
WATER, CREEPER, LIDAR, HELD = (118, 172, 229), (111, 128, 96), (255, 0, 0), (255, 255, 0)


def render(env: Scene) -> NDArray[np.uint8] | None:
    import pygame
    from gymnasium.envs.box2d.bipedal_walker import VIEWPORT_H, VIEWPORT_W

    if env.render_mode is None:
        return None
    if env.screen is None and env.render_mode == "human":
        pygame.display.init()
        env.screen = pygame.display.set_mode((VIEWPORT_W, VIEWPORT_H))
    if env.clock is None:
        env.clock = pygame.time.Clock()
    surf = pygame.Surface((VIEWPORT_W, VIEWPORT_H))
    surf.fill(SKY)
    sx, sy = env.scroll

    def to_px(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [((px - sx) * SCALE, (py - sy) * SCALE) for px, py in points]

    layout = env.layout
    if layout is not None:
        width = VIEWPORT_W / SCALE
        keep = (layout.x >= sx - 1.0) & (layout.x <= sx + width + 1.0)
        xs = layout.x[keep].tolist()
        if len(xs) > 1:
            ground = list(zip(xs, layout.ground[keep].tolist(), strict=True))
            ceiling = list(zip(xs, layout.ceiling[keep].tolist(), strict=True))
            low, high = max(GROUND_LIMIT, sy - 1), min(CEILING_LIMIT, sy + VIEWPORT_H / SCALE + 1)
            pygame.draw.polygon(surf, GROUND, to_px(ground + [(xs[-1], low), (xs[0], low)]))
            pygame.draw.polygon(surf, CEILING, to_px(ceiling + [(xs[-1], high), (xs[0], high)]))
            pygame.draw.lines(surf, GRASS, False, to_px(ground), 2)
            pygame.draw.lines(surf, ROCK, False, to_px(ceiling), 2)
        for x0, x1, top, bottom in layout.creepers.tolist():
            if x1 >= sx and x0 <= sx + width:
                box = [(x0, top), (x1, top), (x1, bottom), (x0, bottom)]
                pygame.draw.polygon(surf, CREEPER, to_px(box))
        if layout.water_y > sy:
            water = pygame.Surface((VIEWPORT_W, VIEWPORT_H), pygame.SRCALPHA)
            top = (layout.water_y - sy) * SCALE
            pygame.draw.rect(water, (*WATER, 150), (0, 0, VIEWPORT_W, min(top, VIEWPORT_H)))
            surf.blit(water, (0, 0))
    for lidar in env.lidar:
        if hasattr(lidar, "p2"):
            start, end = to_px([tuple(lidar.p1), tuple(lidar.p2)])
            pygame.draw.line(surf, LIDAR, start, end, 1)
    for part in env.body.parts + env.body.hands:
        held = part in env.body.hands and part.userData.joint is not None
        for fixture in part.fixtures:
            transform = fixture.body.transform
            shape = fixture.shape
            if hasattr(shape, "radius") and not hasattr(shape, "vertices"):
                ((cx, cy),) = to_px([tuple(transform * shape.pos)])
                color = HELD if held else part.color1
                pygame.draw.circle(surf, color, (cx, cy), max(2.0, shape.radius * SCALE))
                continue
            path = to_px([tuple(transform * v) for v in shape.vertices])
            pygame.draw.polygon(surf, part.color1, path)
            pygame.draw.polygon(surf, part.color2, path, width=1)
    surf = pygame.transform.flip(surf, False, True)
    if env.render_mode == "human":
        assert env.screen is not None
        env.screen.blit(surf, (0, 0))
        pygame.event.pump()
        env.clock.tick(env.metadata["render_fps"])
        pygame.display.flip()
        return None
    return np.transpose(np.array(pygame.surfarray.pixels3d(surf)), axes=(1, 0, 2))
