"""Per-run TensorBoard logs: SB3's own training metrics and aclbench's, in the run's folder.

With ``tensorboard = true`` (a suite's top-level key, ``aclbench run --tensorboard``) a run writes
TensorBoard event files into its own folder, so ``tensorboard --logdir results/<suite>`` shows
every run of the suite side by side, each named by its folder (``cartpole/alp-gmm/seed-0``):

- SB3's own metrics (``rollout/ep_rew_mean``, ``train/loss``, ``time/fps``...), written by SB3's
  logger, which the run opens on its folder with SB3's ``TensorBoardOutputFormat`` and hands to
  the student (:meth:`~students.base.Student.log_training`);
- at each evaluation, ``eval/mastered_pct`` and ``eval/mean_return`` on the test set, and the
  numeric parts of the teacher's ``inner_state()`` under ``teacher/`` (:func:`teacher_scalars`),
  for every student, the simulated one included.

Both go through the one writer, so a run has one event file per process that trained it, and
the x axis is env steps throughout. A resumed run marks its checkpoint's step in its new file,
so TensorBoard drops what the interrupted process wrote after the checkpoint (as the runner drops
those rows from the CSV files); a run started afresh removes the event files of an earlier one.
Needs the ``tensorboard`` package (``pip install "aclbench[tensorboard]"``), checked with the
config before anything runs. The cost in throughput is printed by
``python -m benchmarks.perf.tensorboard_cost``.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aclbench.errors import ConfigError

if TYPE_CHECKING:  # SB3 (and torch) only when a run asks for a log: simulated runs import neither
    from stable_baselines3.common.logger import TensorBoardOutputFormat

EVENT_FILES = "events.out.tfevents.*"
"""The names TensorBoard's writers give their files."""

MAX_SERIES = 16
"""A list of numbers in a teacher's inner state up to this long is logged entry by entry; a
longer one (a value per task of a large task set) by its mean and maximum."""


def check_tensorboard() -> None:
    """Raise ConfigError, saying what to install, where the ``tensorboard`` package is missing."""
    if importlib.util.find_spec("tensorboard") is None:
        raise ConfigError(
            "tensorboard = true needs the tensorboard package: "
            "pip install 'aclbench[tensorboard]' (or set tensorboard = false)"
        )


def remove_event_files(run_dir: Path) -> None:
    """Remove the event files of an earlier run in ``run_dir`` (the run starts afresh)."""
    for path in Path(run_dir).glob(EVENT_FILES):
        path.unlink()


class TensorBoardLog:
    """The TensorBoard log of one run, in ``folder``.

    Args:
        folder: the run's folder.
        resumed_at: the env step of the checkpoint the run resumes from; what earlier files of
            the folder hold after it is dropped when TensorBoard reads them.

    Attributes:
        logger: SB3's logger writing to the event file, for the student's own metrics.
    """

    def __init__(self, folder: Path, *, resumed_at: int | None = None) -> None:
        check_tensorboard()
        from stable_baselines3.common.logger import Logger, TensorBoardOutputFormat

        self.output = TensorBoardOutputFormat(str(folder))
        if resumed_at is not None:
            _drop_after(self.output, resumed_at)
        self.logger = Logger(str(folder), [self.output])

    def add_evaluation(
        self, env_steps: int, row: Mapping[str, float], teacher_state: Mapping[str, Any]
    ) -> None:
        """An evaluation's ``mastered_pct`` and ``mean_return``, and the teacher's scalars."""
        scalars: dict[str, Any] = {
            "eval/mastered_pct": float(row["mastered_pct"]),
            "eval/mean_return": float(row["mean_return"]),
            **teacher_scalars(teacher_state),
        }
        # SB3's writer, called directly: the student's values recorded but not yet dumped stay
        # in the logger, to be written at the step SB3 dumps them.
        self.output.write(scalars, {key: () for key in scalars}, env_steps)

    def close(self) -> None:
        self.logger.close()


def teacher_scalars(state: Mapping[str, Any], prefix: str = "teacher") -> dict[str, float]:
    """The numeric parts of a teacher's ``inner_state()``, as TensorBoard tags and values.

    A finite number is kept under its path (``teacher/replays``, ``teacher/box/low/0``); a list
    of numbers entry by entry, or, when longer than :data:`MAX_SERIES`, by its ``mean`` and
    ``max``; a list of tables (ALP-GMM's Gaussians, RIAC's regions) by its ``count`` and the
    mean and maximum of each numeric field (``teacher/gaussians/alp_max``). Strings, ``None``
    and nested lists (covariances) are left out.
    """
    scalars: dict[str, float] = {}
    for key, value in state.items():
        path = f"{prefix}/{key}"
        number = _number(value)
        if number is not None:
            scalars[path] = number
        elif isinstance(value, Mapping):
            scalars.update(teacher_scalars(value, path))
        elif isinstance(value, list | tuple):
            scalars.update(_list_scalars(list(value), path))
    return scalars


def _list_scalars(values: list[Any], path: str) -> dict[str, float]:
    if values and all(isinstance(v, Mapping) for v in values):
        scalars = {f"{path}/count": float(len(values))}
        for field in dict.fromkeys(k for v in values for k in v):
            numbers = [n for v in values if (n := _number(v.get(field))) is not None]
            if numbers:
                scalars[f"{path}/{field}_mean"] = math.fsum(numbers) / len(numbers)
                scalars[f"{path}/{field}_max"] = max(numbers)
        return scalars
    numbers = [n for v in values if (n := _number(v)) is not None]
    if not numbers or len(numbers) != len(values):  # empty, or not a list of numbers only
        return {}
    if len(numbers) <= MAX_SERIES:
        return {f"{path}/{i}": n for i, n in enumerate(numbers)}
    return {f"{path}/mean": math.fsum(numbers) / len(numbers), f"{path}/max": max(numbers)}


def _number(value: Any) -> float | None:
    """``value`` as a finite float where it is a number (``True`` counts as 1), else ``None``."""
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    if hasattr(value, "dtype") and getattr(value, "ndim", None) == 0:  # a numpy scalar
        return _number(value.item())
    return None


def _drop_after(output: TensorBoardOutputFormat, step: int) -> None:
    """Mark ``step + 1`` as where the run restarted: as ``SummaryWriter(purge_step=...)`` does,
    a session start event that makes TensorBoard drop the earlier events of later steps."""
    from tensorboard.compat.proto.event_pb2 import Event, SessionLog

    restart = Event(step=step + 1, session_log=SessionLog(status=SessionLog.START))
    file_writer: Any = output.writer.file_writer  # set when the SummaryWriter is made
    file_writer.add_event(restart)
