"""The configuration of one run: everything that determines its results.

A run is a function of its :class:`RunConfig` alone: the runner writes it as ``config.toml`` in
the run's folder, and ``aclbench run --config <that file>`` reruns it exactly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomli_w

from aclbench import envs
from aclbench.errors import ConfigError, describe_type
from aclbench.expert_knowledge import check_level

EVALUATIONS_PER_RUN = 20
"""Default number of evaluations over a run's budget (plus one before training)."""
MAX_STEPS = 10**12
"""The largest budget a run accepts: more env steps than any run could ever finish."""
MAX_EVALUATIONS = 10_000
"""The most evaluations (or checkpoints) a run's budget and intervals may give."""
LOGGING_KEYS = ("tensorboard",)
"""Keys that change what a run logs, not its results: a run resumes under another value."""


@dataclass(frozen=True)
class RunConfig:
    """One (env, teacher, student, seed) run.

    Attributes:
        env: short name of a registered env (``aclbench list envs``).
        teacher: name of a registered teacher.
        student: name of a registered student.
        seed: seeds the teacher, the student and the envs.
        steps: training budget in env steps (episodes for one-step envs such as ``toy``).
        eval_interval: env steps between evaluations on the test set; 0 means
            ``steps // EVALUATIONS_PER_RUN``, or the env's registered ``min_eval_interval``
            if that is larger (envs whose test episodes are long).
        checkpoint_interval: env steps between checkpoints of the run (for resuming it);
            0 means at every evaluation.
        env_kwargs: passed to the env's constructor: the training task space.
        test_env_kwargs: constructor arguments of the env whose ``test_tasks()`` is the test
            set; ``None`` (the default) uses ``env_kwargs``, ``{}`` the env's default test set.
            TeachMyAgent's challenges train on a wider space than the grid they test on.
        teacher_params: passed to the teacher's constructor.
        rugged: a rugged task space for the teacher (TeachMyAgent's rugged-difficulty
            challenge): ``{}`` (the default) for none, else the keys of
            :class:`~aclbench.rugged.CellShuffle` (``{cuts = 4, seed = 21}``); the teacher's
            tasks reach the env through that shuffle of the cells (:mod:`teachers.rugged`).
        student_params: learner hyperparameters, over the per-env defaults.
        expert_knowledge: what an expert tells the teacher about the env, TeachMyAgent's
            levels (:mod:`aclbench.expert_knowledge`): ``"none"``, ``"low"`` (the returns that
            mean mastery) or ``"high"`` (low and an initial distribution of easy tasks). The
            default is ``"low"``: the knowledge GoalGAN's band of intermediate difficulty
            already was, so that suites written before this key keep their teachers and
            results (a teacher that uses no knowledge runs the same at every level, and
            ALP-GMM and Covar-GMM use only ``"high"``).
        device: torch device of neural students; ``"auto"`` picks a GPU where there is one.
        suite: name of the suite the run belongs to ("" for a lone run).
        imports: modules imported before the run is built, for the teachers, students and
            envs they register by name (``aclbench run --import``, a suite's ``import``).
        tensorboard: write TensorBoard event files into the run's folder
            (:mod:`~aclbench.harness.tensorboard`); off by default, as it needs the optional
            ``tensorboard`` package.
    """

    env: str
    teacher: str
    student: str
    seed: int
    steps: int
    eval_interval: int = 0
    checkpoint_interval: int = 0
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    test_env_kwargs: dict[str, Any] | None = None
    teacher_params: dict[str, Any] = field(default_factory=dict)
    rugged: dict[str, Any] = field(default_factory=dict)
    student_params: dict[str, Any] = field(default_factory=dict)
    expert_knowledge: str = "low"
    device: str = "auto"
    suite: str = ""
    imports: list[str] = field(default_factory=list)
    tensorboard: bool = False

    def __post_init__(self) -> None:
        _expect(self.seed, int, "seed")
        _expect(self.steps, int, "steps")
        _expect(self.eval_interval, int, "eval_interval")
        _expect(self.checkpoint_interval, int, "checkpoint_interval")
        if self.seed < 0:
            raise ConfigError(f"seed must be an integer >= 0, got {self.seed}")
        if self.steps < 1:
            raise ConfigError(f"steps must be a positive number of env steps, got {self.steps}")
        if self.steps > MAX_STEPS:
            raise ConfigError(
                f"steps must be at most 10^12 (MAX_STEPS), a budget a run can finish; "
                f"got {self.steps}"
            )
        for name in ("eval_interval", "checkpoint_interval"):
            interval = getattr(self, name)
            if interval < 0:
                raise ConfigError(f"{name} must be >= 0 (0: the default), got {interval}")
            if interval and self.steps // interval > MAX_EVALUATIONS:
                raise ConfigError(
                    f"{name} = {interval} gives {self.steps // interval} evaluations over "
                    f"steps = {self.steps}; at most {MAX_EVALUATIONS} (MAX_EVALUATIONS) are "
                    f"allowed: use {name} >= {-(-self.steps // MAX_EVALUATIONS)}"
                )
        for name in ("env", "teacher", "student", "device", "suite"):
            _expect(getattr(self, name), str, name)
        check_level(self.expert_knowledge)
        for name in ("env_kwargs", "teacher_params", "rugged", "student_params"):
            _expect(getattr(self, name), dict, name)
        if self.test_env_kwargs is not None:
            _expect(self.test_env_kwargs, dict, "test_env_kwargs")
        _expect(self.imports, list, "imports")
        _expect(self.tensorboard, bool, "tensorboard")
        for module in self.imports:
            _expect(module, str, "imports")
        _check_device(self.device)

    @property
    def resolved_eval_interval(self) -> int:
        if self.eval_interval:
            return self.eval_interval
        floor = envs.ENVS.get(self.env).min_eval_interval if self.env in envs.ENVS else 0
        return max(1, self.steps // EVALUATIONS_PER_RUN, floor)

    @property
    def resolved_checkpoint_interval(self) -> int:
        return self.checkpoint_interval or self.resolved_eval_interval

    def resolved(self) -> RunConfig:
        """The same config with defaults made explicit, as it is saved."""
        return replace(
            self,
            eval_interval=self.resolved_eval_interval,
            checkpoint_interval=self.resolved_checkpoint_interval,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def same_run(self, other: RunConfig) -> bool:
        """Whether ``other`` gives the same results: equal but for :data:`LOGGING_KEYS`."""
        mine, theirs = self.to_dict(), other.to_dict()
        return all(mine[key] == theirs[key] for key in mine if key not in LOGGING_KEYS)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "config") -> RunConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            allowed = ", ".join(sorted(known))
            raise ConfigError(f"{source}: unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
        missing = [k for k in ("env", "teacher", "student", "seed", "steps") if k not in data]
        if missing:
            raise ConfigError(f"{source}: missing key(s) {', '.join(missing)}")
        return cls(**data)

    def save(self, path: Path) -> None:
        from aclbench.harness.results import write_atomic

        # TOML has no null: an unset test_env_kwargs is left out and reads back as None
        data = {key: value for key, value in self.to_dict().items() if value is not None}
        write_atomic(path, tomli_w.dumps(data))

    @classmethod
    def load(cls, path: Path) -> RunConfig:
        try:
            data = tomllib.loads(Path(path).read_text())
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise ConfigError(f"cannot read run config {path}: {err}") from None
        return cls.from_dict(data, source=str(path))


def check_run_folder(run_dir: Path, config: RunConfig) -> None:
    """Raise ConfigError where ``run_dir`` holds a run of another config than ``config``:
    writing there would discard it. Names the keys that differ."""
    from aclbench.harness.results import read_status

    saved_path = Path(run_dir) / "config.toml"
    if read_status(run_dir)["state"] == "missing" or not saved_path.exists():
        return
    saved, wanted = RunConfig.load(saved_path).to_dict(), config.resolved().to_dict()
    changed = [
        f"{key} {saved[key]!r} -> {wanted[key]!r}"
        for key in wanted
        if saved[key] != wanted[key] and key not in LOGGING_KEYS
    ]
    if changed:
        raise ConfigError(
            f"{run_dir} holds a run of another config ({'; '.join(changed)}); write to another "
            "--out or remove that folder"
        )


def _check_device(device: str) -> None:
    """A device torch cannot parse fails here, naming the key, not in every run."""
    if device == "auto":
        return
    import torch

    try:
        torch.device(device)
    except RuntimeError:
        raise ConfigError(
            f"device must be 'auto' or a torch device ('cpu', 'cuda', 'cuda:1'...), got {device!r}"
        ) from None


def _expect(value: Any, kind: type, name: str) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{name} must be {describe_type(kind)}, got {value!r}")
