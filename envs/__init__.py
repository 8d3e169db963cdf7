"""Procedurally parameterized Gymnasium environments.

Importing this package registers every aclbench env with Gymnasium (ids ``aclbench/...``) and
by short name in ``ENVS`` (``aclbench list envs`` shows them). See :mod:`envs.core` for the
protocol.
"""

from aclbench.envs.core import (
    ENVS,
    EnvEntry,
    TaskEnv,
    expert_knowledge_of,
    make_env,
    register_env,
    task_env,
    task_from_options,
)

register_env(
    "toy",
    "aclbench/Toy-v0",
    "aclbench.envs.toy:ToyEnv",
    "simulated student of Portelas et al. 2019: cells of competence (student: simulated)",
)
register_env(
    "cartpole",
    "aclbench/CartPole-v0",
    "aclbench.envs.cartpole:TaskCartPoleEnv",
    "CartPole with pole length, pole mass and push force",
    max_episode_steps=500,
)
register_env(
    "stump-tracks",
    "aclbench/StumpTracks-v0",
    "aclbench.envs.stump_tracks:StumpTracksEnv",
    "BipedalWalker over stumps of a given height and spacing (Portelas et al. 2019); "
    "body='classic'|'short'|'long'|'quadru'",
    max_episode_steps=2000,
)
for _name, _gym_id, _body, _milieu in (
    ("parkour", "aclbench/Parkour-v0", "classic", "walking"),
    ("parkour-climber", "aclbench/ParkourClimber-v0", "climber", "climbing"),
    ("parkour-fish", "aclbench/ParkourFish-v0", "fish", "swimming"),
):
    register_env(
        _name,
        _gym_id,
        "aclbench.envs.parkour:ParkourEnv",
        f"TeachMyAgent's Parkour (CPPN ground and ceiling, water, creepers), body={_body!r}, "
        f"{_milieu} test set; body='classic'|'spider'|'climber'|'fish'",
        max_episode_steps=2000,
        body=_body,
    )
register_env(
    "task-graph",
    "aclbench/TaskGraph-v0",
    "aclbench.envs.task_graph:TaskGraphEnv",
    "simulated student over a task graph: tasks learnable once their predecessors are mastered "
    "(student: simulated)",
)
register_env(
    "minigrid-sequence",
    "aclbench/MiniGridSequence-v0",
    "aclbench.envs.minigrid_sequence:MiniGridSequenceEnv",
    "MiniGrid tasks forming a curriculum (Unlock -> UnlockPickup -> BlockedUnlockPickup, "
    "KeyCorridor, ObstructedMaze); the task is the task index",
    min_eval_interval=25_000,  # long test episodes: see envs.minigrid_sequence
)
register_env(
    "maze",
    "aclbench/Maze-v0",
    "aclbench.envs.maze:MazeEnv",
    "MiniGrid maze (UED): the task is the whole level, a 13x13 wall bit per cell plus agent "
    "x, y, dir and goal x, y; random levels have up to 60 walls; test: hand-designed mazes",
)
register_env(
    "pendulum",
    "aclbench/Pendulum-v0",
    "aclbench.envs.pendulum:TaskPendulumEnv",
    "Pendulum (continuous torque) with mass, length and gravity",
    max_episode_steps=200,
)
register_env(
    "mountaincar",
    "aclbench/MountainCar-v0",
    "aclbench.envs.mountaincar:TaskMountainCarEnv",
    "MountainCarContinuous with engine power and goal position",
    max_episode_steps=999,
)
register_env(
    "lunarlander",
    "aclbench/LunarLander-v0",
    "aclbench.envs.lunarlander:TaskLunarLanderEnv",
    "continuous LunarLander with gravity, wind power and turbulence",
    max_episode_steps=1000,
)

__all__ = [
    "ENVS",
    "EnvEntry",
    "TaskEnv",
    "expert_knowledge_of",
    "make_env",
    "register_env",
    "task_env",
    "task_from_options",
]
