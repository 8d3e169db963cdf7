"""``aclbench play``: watch a run's student on chosen tasks, as a GIF or an MP4 video.

The run's final model (``model.zip``), or the model of one of its checkpoints, plays one
deterministic episode on a task of the run's own test set (``test_tasks.csv``, by index) or on
task values given by hand, in the env built with ``render_mode="rgb_array"`` and the run's env
kwargs, its observations normalized with the run's frozen statistics where the student
normalized them (``vecnormalize.pkl``); each frame is rendered, at the env's ``render_fps``.

A ``.gif`` is written with Pillow (a dependency of matplotlib, so nothing more to install); an
``.mp4`` (H.264) by the ffmpeg binary that imageio-ffmpeg ships, the optional extra
``aclbench[video]``: lighter than Gymnasium's ``RecordVideo``, whose MoviePy needs it and more.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from PIL import Image

from aclbench import envs, students
from aclbench.errors import ConfigError
from aclbench.harness.config import RunConfig
from aclbench.registry import import_modules

if TYPE_CHECKING:
    from stable_baselines3.common.vec_env import VecNormalize

MODEL_FILE = "model.zip"
FORMATS = (".gif", ".mp4")


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
    width: int | None = None,
    every: int = 1,
) -> Replay:
    """Play one deterministic episode of the run's student on ``task`` and write it to ``out``
    (``.gif`` or ``.mp4``); ``model`` defaults to the run's final ``model.zip``. The episode
    stops after ``max_steps``; frames are scaled down to ``width`` pixels where given, and
    every ``every``-th is kept, played at the env's frame rate over ``every`` (the same speed)."""
    check_output(out)
    if every < 1 or (width is not None and width < 2):
        raise ValueError(f"every = {every} must be >= 1 and width = {width} >= 2 pixels")
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
        # SB3 (and torch) only here, where a model is played: importing this module, as the
        # report does, must not load them into every process that builds a report.
        from aclbench.students.normalization import observation_normalizer

        normalizer = observation_normalizer(model_path)  # the run's statistics, frozen
        frames, episode_return, steps = _episode(
            env, policy, normalizer, task, config.seed, max_steps
        )
        fps = float(env.metadata.get("render_fps") or 30) / every
    finally:
        env.close()
    if not frames:
        raise ConfigError(f"env {config.env!r} rendered no frame in rgb_array mode")
    images = [_image(frame, width) for frame in frames[::every]]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.stem}.tmp{out.suffix}")  # ffmpeg reads the format from it
    try:
        if out.suffix.lower() == ".mp4":
            _write_mp4(tmp, images, fps)
        else:
            images[0].save(
                tmp,
                format="GIF",
                save_all=True,
                append_images=images[1:],
                duration=round(1000 / fps),
                loop=0,
            )
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return Replay(out, space.to_dict(task), episode_return, steps)


def check_output(out: Path) -> None:
    """Raise ConfigError where ``out`` is not a file name :func:`play` writes, or where the
    MP4 writer is not installed."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"--out {out}: give a .gif or .mp4 file name")
    if suffix == ".mp4" and importlib.util.find_spec("imageio_ffmpeg") is None:
        raise ConfigError(
            f"--out {out}: MP4 needs imageio-ffmpeg: pip install 'aclbench[video]' "
            "(or write a .gif)"
        )


def _image(frame: Any, width: int | None) -> Image.Image:
    """An RGB frame, scaled down to ``width`` where it is wider, cropped to even sides (as
    H.264's 4:2:0 colour needs)."""
    image = Image.fromarray(np.asarray(frame, dtype=np.uint8))
    if width is not None and image.width > width:
        image = image.resize((width, max(2, round(image.height * width / image.width))))
    return image.crop((0, 0, image.width - image.width % 2, image.height - image.height % 2))


def _write_mp4(path: Path, images: list[Image.Image], fps: float) -> None:
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(path), images[0].size, fps=fps, codec="libx264", macro_block_size=2
    )
    writer.send(None)  # starts ffmpeg
    try:
        for image in images:
            writer.send(image.tobytes())
    finally:
        writer.close()


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
