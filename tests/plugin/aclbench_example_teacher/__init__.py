"""A plug-in package living outside aclbench: a teacher that favours the task dimensions' lower
halves, and an env (CartPole with short poles only) registered with Gymnasium on import."""

import gymnasium as gym
import numpy as np

from aclbench.envs import EnvEntry
from aclbench.teachers import Teacher


class LowestFirstTeacher(Teacher):
    """Samples uniformly from the lower half of every dimension (a plug-in example)."""

    def _sample_task(self) -> np.ndarray:
        return self.task_space.from_unit(self.rng.random(len(self.task_space)) / 2)


gym.register(
    "aclbench-example/ShortCartPole-v0",
    entry_point="aclbench.envs.cartpole:TaskCartPoleEnv",
    max_episode_steps=500,
    kwargs={"pole_length": (0.02, 0.1)},
)
SHORT_CARTPOLE = EnvEntry(
    "short-cartpole",
    "aclbench-example/ShortCartPole-v0",
    "CartPole with short poles only (an example plug-in)",
)
