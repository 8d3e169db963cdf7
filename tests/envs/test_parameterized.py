"""The envs built on stock Gymnasium physics refuse task bounds that the physics cannot take."""

from __future__ import annotations

import numpy as np
import pytest

from aclbench import envs
from aclbench.errors import ConfigError


@pytest.mark.parametrize(
    "name, kwargs, match",
    [
        # a zero half-length divides by zero: NaN observations from the first step
        ("cartpole", {"pole_length": (0.0, 0.5)}, r"pole_length bounds \[0, 0\.5\].*> 0"),
        # a pole of -1 kg cancels the cart's mass: NaN again
        ("cartpole", {"pole_mass": (-1.0, 1.0)}, r"pole_mass bounds \[-1, 1\].*>= 0"),
        ("cartpole", {"force_mag": (-5.0, 10.0)}, r"force_mag bounds \[-5, 10\].*>= 0"),
        # the stock step divides by m l^2: ZeroDivisionError in the middle of a run
        ("pendulum", {"mass": (0.0, 4.0)}, r"mass bounds \[0, 4\].*> 0"),
        ("pendulum", {"length": (-1.0, 2.0)}, r"length bounds \[-1, 2\].*> 0"),
        # the stock env turns the wind off unless a power is > 0: -5 alone would mean no wind
        ("lunarlander", {"wind_power": (-5.0, 5.0)}, r"wind_power bounds \[-5, 5\].*>= 0"),
        ("lunarlander", {"turbulence_power": (-1.0, 1.0)}, r"turbulence_power.*>= 0"),
    ],
)
def test_bounds_outside_the_physics_are_refused_naming_the_dimension(name, kwargs, match):
    with pytest.raises(ConfigError, match=match):
        envs.make_env(name, **kwargs)


@pytest.mark.parametrize(
    "name, kwargs, task",
    [
        ("cartpole", {"pole_length": (0.001, 0.5), "pole_mass": (0.0, 1.0)}, [0.001, 0.0, 1.0]),
        ("pendulum", {"mass": (0.01, 4.0), "length": (0.01, 2.0)}, [0.01, 0.01, 2.0]),
        ("lunarlander", {"wind_power": (0.0, 5.0)}, [-10.0, 0.0, 0.0]),
    ],
)
def test_bounds_at_the_edge_of_the_physics_are_kept(name, kwargs, task):
    env = envs.make_env(name, **kwargs)
    obs, _ = env.reset(seed=0, options={"task": task})
    obs, *_ = env.step(env.action_space.sample())
    assert np.all(np.isfinite(obs))
