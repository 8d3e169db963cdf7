"""``aclbench play``: watch a run's student on chosen tasks, as a GIF.

The run's final model (``model.zip``), or the model of one of its checkpoints, plays one
deterministic episode on a task of the run's own test set (``test_tasks.csv``, by index) or on
task values given by hand, in the env built with ``render_mode="rgb_array"`` and the run's env
kwargs, its observations normalized with the run's frozen statistics where the student
normalized them (``vecnormalize.pkl``); each frame is rendered and the frames are written as
an animated GIF with Pillow (a dependency of matplotlib, so nothing more to install).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from PIL import Image
from stable_baselines3.common.vec_env import VecNormalize

from aclbench import envs, students
from aclbench.errors import ConfigError
from aclbench.harness.config import RunConfig
from aclbench.registry import import_modules
from aclbench.students.normalization import observation_normalizer

MODEL_FILE = "model.zip"


@dataclass(frozen=True)
class Replay:
    """What :func:`play` wrote: the file, the task played, its return and its length."""

    path: Path
    task: dict[str, float]
    episode_return: float
    steps: int


def test_task(run_dir: Path, index: int) -> NDArray[np.float64]:
    """Row ``index`` of the run's ``test_tasks.csv``."""
    try:
        tasks = pd.read_csv(run_dir / "test_tasks.csv", index_col="task_index")
        task = tasks.loc[index].to_numpy(dtype=np.float64) if index in tasks.index else None
    except (OSError, ValueError) as err:  # missing, empty, cut or not numbers
        raise ConfigError(
            f"--task {index}: cannot read {run_dir / 'test_tasks.csv'} ({err}); "
            "give the task by --task-values instead"
        ) from None
    if task is None:
        raise ConfigError(f"--task {index}: the run's test set has tasks 0 to {len(tasks) - 1}")
    return task


def play(
    run_dir: Path,
    task: NDArray[np.float64],
    out: Path,
    *,
    model: Path | None = None,
    max_steps: int = 2000,
    fps: int = 30,
) -> Replay:
    """Play one deterministic episode of the run's student on ``task`` and write it to ``out``
    (``.gif``); ``model`` defaults to the run's final ``model.zip``."""
    if out.suffix.lower() != ".gif":
        raise ConfigError(f"--out {out}: only .gif is written (Pillow); give a .gif file name")
    config = RunConfig.load(run_dir / "config.toml")
    import_modules(config.imports, f"{run_dir / 'config.toml'}: imports")  # its plug-ins
    algorithm = getattr(students.STUDENTS.get(config.student), "algorithm", None)
    if algorithm is None:
        raise ConfigError(
            f"student {config.student!r} has no policy to replay (only SB3 students do)"
        )
    model_path = model or run_dir / MODEL_FILE
    if not model_path.is_file():
        raise ConfigError(
            f"{model_path}: no model (a run writes {MODEL_FILE} when it is done; an unfinished "
            f"run's last checkpoint has one: --model {run_dir / 'checkpoint' / MODEL_FILE})"
        )
    env = envs.make_env(config.env, render_mode="rgb_array", **config.env_kwargs)
    try:
        space = envs.task_env(env).task_space
        task = space.validate(task)
        policy = algorithm.load(model_path, device="cpu")
        normalizer = observation_normalizer(model_path)  # the run's statistics, frozen
        frames, episode_return, steps = _episode(
            env, policy, normalizer, task, config.seed, max_steps
        )
    finally:
        env.close()
    if not frames:
        raise ConfigError(f"env {config.env!r} rendered no frame in rgb_array mode")
    out.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(np.asarray(frame, dtype=np.uint8)) for frame in frames]
    tmp = out.with_name(out.name + ".tmp")
    images[0].save(
        tmp, format="GIF", save_all=True, append_images=images[1:], duration=1000 // fps, loop=0
    )
    tmp.replace(out)
    return Replay(out, space.to_dict(task), episode_return, steps)


def _episode(
    env: Any,
    policy: Any,
    normalizer: VecNormalize | None,
    task: NDArray[np.float64],
    seed: int,
    max_steps: int,
) -> tuple[list[Any], float, int]:
    obs, _ = env.reset(seed=seed, options={"task": task})
    frames, total, steps = [env.render()], 0.0, 0
    done = False
    while not done and steps < max_steps:
        seen = obs if normalizer is None else normalizer.normalize_obs(obs)
        action, _ = policy.predict(seen, deterministic=True)
        obs, reward, terminated, truncated, _ = env.step(action)
        frames.append(env.render())
        total += float(reward)
        steps += 1
        done = terminated or truncated
    return [frame for frame in frames if frame is not None], total, steps
