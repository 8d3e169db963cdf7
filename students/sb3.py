"""Stable-Baselines3 learners trained on the tasks a teacher picks.

Any SB3 algorithm becomes a student by subclassing :class:`SB3Student` with ``algorithm`` set
and registering it; ``ppo``, ``a2c``, ``sac``, ``td3`` and ``dqn`` are built in. The teacher
lives in the main process; the envs run in a ``DummyVecEnv`` or ``SubprocVecEnv``, each inside a
:class:`~aclbench.envs.curriculum.CurriculumEnv` built by a
:class:`~aclbench.envs.curriculum.Curriculum`, and :class:`~students.callback.CurriculumCallback`
carries tasks and feedback between them (one episode ahead, so that the envs never wait): the
public API any training loop uses.

How the model trains is a :class:`~students.loops.TrainingLoop` chosen by :func:`loop_class`
from the capabilities the teacher declares: SB3's ``learn`` with the teacher channel; rollouts
of replays only or new levels only for a teacher with ``rollout_mode`` (PLR, Robust PLR, ACCEL:
:mod:`students.rollout_modes`); PAIRED rounds with a second model, the antagonist, for a
teacher with ``adversarial`` (:mod:`students.paired`).
"""

from __future__ import annotations

import copy
import functools
import multiprocessing
import pickle
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from numpy.typing import NDArray
from stable_baselines3 import A2C, DQN, PPO, SAC, TD3
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.logger import Logger
from stable_baselines3.common.monitor import Monitor
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv, VecEnv

from aclbench.envs.core import ENVS
from aclbench.envs.curriculum import RETURN_KEY, TASK_KEY, Curriculum, TaskSlots, make_wrapped_env
from aclbench.errors import ConfigError, InvalidReturnError
from aclbench.registry import accepted_parameters, check_params
from aclbench.students.base import Student, TrainingListener
from aclbench.students.devices import training_device
from aclbench.students.generators import global_generator_states, restore_global_generators
from aclbench.students.hyperparams import (
    STUDENT_KEYS,
    VEC_ENVS,
    default_params,
    merge_params,
    resolve_schedules,
)
from aclbench.students.loops import PlainLoop, TrainingLoop
from aclbench.students.normalization import Normalization, load_statistics, save_statistics
from aclbench.students.paired import PairedLoop
from aclbench.students.registry import register_student
from aclbench.students.rollout_modes import RolloutModeLoop
from aclbench.students.simulated import is_self_learner
from aclbench.task_space import TaskSpace
from aclbench.teachers.base import Teacher, check_capabilities

_SB3_SKIP = ("self", "env", "seed", "device", "_init_setup_model")

_FORKSERVER_PRELOAD = ["__main__", "stable_baselines3.common.vec_env.subproc_vec_env", __name__]


def _monitored_env(
    spec: gym.envs.registration.EnvSpec, env_kwargs: dict[str, Any], slots: TaskSlots, index: int
) -> gym.Env:
    """A training env in its worker: the curriculum env under SB3's ``Monitor``, which gives
    SB3 the finished episodes' returns and lengths it logs (``rollout/ep_rew_mean``). In the
    worker rather than a ``VecMonitor`` in the main process, which every step waits on; under
    the normalization, so that it sees the env's rewards."""
    return Monitor(make_wrapped_env(spec, env_kwargs, slots, index))


def _preload_forkserver() -> None:
    """Have SB3's default ``forkserver`` import torch, SB3 and aclbench once, before forking.

    Each ``SubprocVecEnv`` worker imports SB3's worker module, hence torch, which costs every
    worker CPU time and memory of its own. Preloaded in the server, workers start much faster
    and share those pages (figures in ``results/perf/2026-12-04-students-docstring-figures.md``).
    No effect if the server is already running or another start method is in use.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.get_context("forkserver").set_forkserver_preload(_FORKSERVER_PRELOAD)


def loop_class(teacher: Teacher) -> type[TrainingLoop]:
    """The training loop for ``teacher``, from the capabilities it declares (and implements:
    TypeError otherwise), whatever other methods it has."""
    capabilities = check_capabilities(teacher)
    if capabilities.adversarial:
        return PairedLoop
    if capabilities.rollout_mode:
        return RolloutModeLoop
    return PlainLoop


class SB3Student(Student):
    """A Stable-Baselines3 algorithm trained with a teacher.

    Args:
        params: the algorithm's constructor arguments (``policy`` defaults to ``"MlpPolicy"``)
            and the aclbench keys ``n_envs``, ``vec_env`` (``"dummy"`` | ``"subproc"``),
            ``torch_threads``, ``normalize`` and ``reset_every`` (the forgetting student:
            :mod:`students.forgetting`), over the defaults of :mod:`students.hyperparams` (a
            given ``policy_kwargs`` merges key by key with the default one). An unknown key raises
            ConfigError listing the allowed ones.

    Attributes:
        model: the SB3 algorithm.
        loop: how ``model`` trains with the teacher (:func:`loop_class`).
        eval_envs: evaluation episodes run in batches of at most this many envs.
    """

    algorithm: ClassVar[type[BaseAlgorithm]]
    action_spaces: ClassVar[tuple[type[gym.Space[Any]], ...]]
    """The action spaces the algorithm supports (SB3 asserts them when it is built)."""
    eval_envs: ClassVar[int] = 16

    def __init__(
        self,
        env_name: str,
        teacher: Teacher,
        *,
        seed: int,
        env_kwargs: dict[str, Any] | None = None,
        device: str = "auto",
        **params: Any,
    ) -> None:
        super().__init__(
            env_name, teacher, seed=seed, env_kwargs=env_kwargs, device=device, **params
        )
        self._loop_class = loop_class(teacher)
        config = self._check_config(params)
        self.device = training_device(device, self.algorithm, config.get("policy", "MlpPolicy"))
        self.n_envs: int = config.pop("n_envs")
        self._vec_env: str = config.pop("vec_env")
        self.normalization = Normalization.from_setting(config.pop("normalize"))
        self.reset_every: int = config.pop("reset_every")
        self._config = config  # the model's constructor arguments, for new_model
        self._logger: Logger | None = None  # log_training's, kept across checkpoint loads
        torch.set_num_threads(config.pop("torch_threads"))  # per process: one run per worker
        entry = ENVS.get(env_name)
        self._spec = gym.spec(entry.gym_id)
        self._env_kwargs = {**entry.kwargs, **self.env_kwargs}
        # PAIRED writes its levels itself (students.paired): no teacher channel to sample ahead.
        self.curriculum = (
            None if teacher.capabilities.adversarial else Curriculum(teacher, self.n_envs)
        )
        self.slots = (
            self.curriculum.slots
            if self.curriculum is not None
            else TaskSlots(self.n_envs, 2, len(teacher.task_space))
        )
        free = self.curriculum.close if self.curriculum is not None else self.slots.unlink
        try:
            self.venv = self._make_venv(self.slots, self._vec_env)
        except BaseException:
            free()
            raise
        self._close = weakref.finalize(self, _close, self.venv, free)
        try:
            self._check_task_space(self.venv.get_attr("task_space", indices=[0])[0])
            self.model = self._make_model(self.venv, seed)
            self.loop = self._loop_class(self)
        except BaseException:
            self._close()
            raise

    # --- configuration -------------------------------------------------------------------------
    @classmethod
    def check_param_names(cls, params: dict[str, Any], *, name: str) -> None:
        """The names of ``params`` that are not aclbench keys against the SB3 algorithm's
        constructor (this class's own takes ``**params``), and the values of the aclbench
        keys given, so that a suite refuses them before any run starts."""
        _check_student_keys(params)
        try:  # a schedule written wrong ("lin_fast") is refused here, not at the run's start
            resolve_schedules(params)
        except ConfigError as err:
            raise ConfigError(f"student {name!r}: {err}") from None
        sb3_params = {k: v for k, v in params.items() if k not in STUDENT_KEYS}
        check_params(
            cls.algorithm,
            sb3_params,
            what=f"student {name!r} (SB3 {cls.algorithm.__name__}; aclbench keys: "
            f"{', '.join(STUDENT_KEYS)})",
            skip=_SB3_SKIP,
        )

    @classmethod
    def check_env(cls, env: gym.Env, *, name: str, env_name: str) -> None:
        """A network learns a real env: not a simulated student, and with actions of a kind
        the algorithm supports."""
        if is_self_learner(env):
            raise ConfigError(
                f"student {name!r} cannot train on env {env_name!r}: it simulates its own "
                "student (use student 'simulated')"
            )
        if not isinstance(env.action_space, cls.action_spaces):
            allowed = ", ".join(space.__name__ for space in cls.action_spaces)
            raise ConfigError(
                f"student {name!r} cannot train on env {env_name!r}: its actions are "
                f"{type(env.action_space).__name__}, {cls.algorithm.__name__} supports {allowed}"
            )

    @classmethod
    def algorithm_defaults(cls) -> dict[str, Any]:
        """The SB3 algorithm's hyperparameters and their defaults, read from its constructor
        (``policy`` as the student's default, ``"MlpPolicy"``)."""
        parameters = accepted_parameters(cls.algorithm) or {}
        return {"policy": "MlpPolicy"} | {
            name: parameter.default
            for name, parameter in parameters.items()
            if name not in _SB3_SKIP and parameter.default is not parameter.empty
        }

    @classmethod
    def check_budget(cls, steps: int, *, name: str, env_name: str, params: dict[str, Any]) -> None:
        """An on-policy algorithm collects whole rollouts of ``n_steps`` x ``n_envs`` env steps
        before it trains: a budget below one would run the whole rollout anyway."""
        if not issubclass(cls.algorithm, OnPolicyAlgorithm):
            return
        defaults = default_params(cls.algorithm.__name__.lower(), env_name)
        merged = merge_params({**cls.algorithm_defaults(), **defaults}, params)
        n_steps, n_envs = merged["n_steps"], merged["n_envs"]
        rollout = n_steps * n_envs
        if steps < rollout:
            raise ConfigError(
                f"steps = {steps} is less than one rollout of student {name!r} on env "
                f"{env_name!r} (n_steps {n_steps} x n_envs {n_envs} = {rollout} env steps); "
                "raise steps or lower n_steps or n_envs"
            )

    @classmethod
    def check_teacher(
        cls, teacher: Teacher, *, name: str, env_name: str, params: dict[str, Any]
    ) -> None:
        """The training loop ``teacher`` needs accepts the algorithm and its hyperparameters
        (the env's defaults with ``params``)."""
        defaults = default_params(cls.algorithm.__name__.lower(), env_name)
        config = resolve_schedules(merge_params(defaults, params))
        loop_class(teacher).check_config(teacher, cls.algorithm, config)

    def _check_config(self, params: dict[str, Any]) -> dict[str, Any]:
        name = self.algorithm.__name__.lower()
        merged = merge_params(default_params(name, self.env_name), params)
        self.hyperparams = {  # as written: schedules stay "lin_<start>"
            **self.algorithm_defaults(),
            **copy.deepcopy(merged),
        }
        config = resolve_schedules(merged)
        self.check_param_names(config, name=name)
        _check_student_keys(config)
        self._loop_class.check_config(self.teacher, self.algorithm, config)
        return config

    def _make_model(self, venv: VecEnv, seed: int) -> BaseAlgorithm:
        config = dict(self._config)
        algorithm = self._loop_class.model_class(self.algorithm)
        try:
            return algorithm(
                config.pop("policy", "MlpPolicy"),
                venv,
                seed=seed,
                device=self.device,
                **config,
            )
        except AssertionError as err:  # SB3 checks spaces and sizes with assert
            raise ConfigError(
                f"student {self.algorithm.__name__.lower()!r} cannot train on env "
                f"{self.env_name!r}: {err}"
            ) from err

    def new_model(self, slots: TaskSlots, seed: int) -> tuple[VecEnv, BaseAlgorithm]:
        """Another model of this student's algorithm and hyperparameters, seeded with ``seed``,
        on training envs of its own that read their tasks from ``slots`` (PAIRED's
        antagonist). The caller closes the envs."""
        venv = self._make_venv(slots, self._vec_env)
        try:
            return venv, self._make_model(venv, seed)
        except BaseException:
            venv.close()
            raise

    def _check_task_space(self, space: TaskSpace) -> None:
        if space != self.teacher.task_space:
            raise ConfigError(
                f"the teacher's task space {self.teacher.task_space!r} differs from env "
                f"{self.env_name!r}'s {space!r}; build the teacher from the env's task_space"
            )

    def _make_venv(self, slots: TaskSlots, kind: str) -> VecEnv:
        """Training envs of ``kind`` reading their tasks from ``slots``, normalized with
        statistics of their own where the student normalizes."""
        gamma = float(self._config.get("gamma", self.algorithm_defaults()["gamma"]))
        return self.normalization.training_env(self._bare_venv(slots, kind), gamma)

    def _bare_venv(self, slots: TaskSlots, kind: str) -> VecEnv:
        factories: list[Callable[[], gym.Env]] = [
            functools.partial(_monitored_env, self._spec, self._env_kwargs, slots, i)
            for i in range(slots.shape[0])
        ]
        if kind == "dummy":
            return DummyVecEnv(factories)
        _preload_forkserver()
        return SubprocVecEnv(factories)

    # --- Student interface ---------------------------------------------------------------------
    def log_training(self, logger: Logger) -> None:
        """SB3's own metrics of the model (``train/``, ``rollout/``, ``time/``) go to
        ``logger``; PAIRED's antagonist logs nothing."""
        self._logger = logger
        self.model.set_logger(logger)

    def learn(self, total_steps: int, listener: TrainingListener) -> None:
        """Train for ``total_steps`` more env steps (SB3 finishes the rollout under way, so an
        on-policy student may overshoot by up to ``n_steps * n_envs - 1``; PAIRED rounds by
        less than one round)."""
        self.loop.learn(total_steps, listener)

    def evaluate(self, tasks: NDArray[np.float64]) -> NDArray[np.float64]:
        """One deterministic episode per task, ``n_tasks`` returns in the order of ``tasks``.

        Runs in a fresh ``DummyVecEnv`` of ``n = min(n_tasks, eval_envs)`` envs seeded with the
        student's seed, env ``i`` playing tasks ``i, i + n, ...``. Neither the teacher nor the
        training envs are used. A NaN or infinite return raises InvalidReturnError.
        """
        tasks = np.asarray(tasks, dtype=np.float64)
        space = self.teacher.task_space
        if tasks.ndim != 2:
            raise ValueError(f"evaluate expects n_tasks x {len(space)} tasks, got {tasks.shape}")
        tasks = np.array([space.validate(t) for t in tasks]).reshape(len(tasks), len(space))
        results = np.full(len(tasks), np.nan)
        n = min(len(tasks), self.eval_envs)
        if n == 0:
            return results
        slots = TaskSlots(n, -(-len(tasks) // n), len(space))
        for k, task in enumerate(tasks):
            slots.write(k % n, k // n, task)
        try:
            venv = self.normalization.evaluation_env(self._bare_venv(slots, "dummy"), self.venv)
            try:
                self._play(venv, tasks, results)
            finally:
                venv.close()
        finally:
            slots.unlink()
        return results

    def _play(self, venv: VecEnv, tasks: NDArray[np.float64], results: NDArray[np.float64]) -> None:
        """Step until every task has its return in ``results`` (envs that are done idle on)."""
        n = venv.num_envs
        venv.seed(self.seed)
        obs = venv.reset()
        played = np.zeros(n, dtype=int)
        done = np.zeros(len(tasks), dtype=bool)
        while not done.all():
            actions, _ = self.model.predict(obs, deterministic=True)  # type: ignore[arg-type]
            obs, _, dones, infos = venv.step(actions)
            for i in np.flatnonzero(dones):
                k = i + played[i] * n
                if k < len(tasks):
                    assert np.array_equal(infos[i][TASK_KEY], tasks[k])
                    results[k] = self._finite(infos[i][RETURN_KEY], tasks[k])
                    done[k] = True
                played[i] += 1

    def _finite(self, episode_return: float, task: NDArray[np.float64]) -> float:
        if not np.isfinite(episode_return):
            raise InvalidReturnError(
                f"env {self.env_name!r} returned {episode_return!r} on evaluation task "
                f"{self.teacher.task_space.to_dict(task)}; returns must be finite (check the "
                "env's rewards)"
            )
        return float(episode_return)

    def save(self, directory: Path) -> None:
        Path(directory).mkdir(parents=True, exist_ok=True)
        self.model.save(Path(directory) / "model.zip")
        save_statistics(self.venv, Path(directory))
        self.loop.save(Path(directory))

    def save_checkpoint(self, directory: Path) -> None:
        """Weights, optimizer and step counters (``model.zip``), the replay buffer of off-policy
        algorithms, and the global generators (:mod:`students.generators`). Episodes in progress
        are not saved: after a resume each env starts a new episode on a fresh teacher task.
        PAIRED runs add the antagonist and the round under way (:mod:`students.paired`)."""
        directory = Path(directory)
        self.save(directory)
        self.loop.save_checkpoint(directory)
        if isinstance(self.model, OffPolicyAlgorithm) and self.model.replay_buffer is not None:
            self.model.save_replay_buffer(directory / "replay_buffer.pkl")
        generators = global_generator_states()
        (directory / "generators.pkl").write_bytes(pickle.dumps(generators))

    def load_checkpoint(self, directory: Path) -> None:
        """Restore :meth:`save_checkpoint`'s state, into a fresh student or one that has trained
        already: the next :meth:`learn` resets the envs and goes on as a fresh student would."""
        directory = Path(directory)
        load_statistics(self.venv, directory)
        self.model = type(self.model).load(  # the update-gated class where there is one
            directory / "model.zip", env=self.venv, device=self.model.device
        )
        if self._logger is not None:
            self.model.set_logger(self._logger)
        # SB3's load seeds the envs with the run's seed again, so the resumed run would replay
        # the initial states of its first episodes; a stream of the run and the checkpoint's
        # step count instead, so a resume is still reproducible.
        stream = np.random.SeedSequence([self.seed, self.model.num_timesteps])
        self.venv.seed(int(stream.generate_state(1)[0]))
        buffer = directory / "replay_buffer.pkl"
        if isinstance(self.model, OffPolicyAlgorithm) and buffer.exists():
            self.model.load_replay_buffer(buffer)
        self.loop.load_checkpoint(directory)  # may reseed generators: before restoring them
        restore_global_generators(pickle.loads((directory / "generators.pkl").read_bytes()))
        # The teacher channel restarts as in a fresh student, before the reset that the loaded
        # model (without observations) does first: fresh tasks from the restored teacher.
        if self.curriculum is not None:
            self.curriculum.restart(self.venv.get_attr("episodes"))
        else:  # PAIRED: every env from episode 0, as in a fresh student (set on the curriculum
            # env under the Monitor: VecEnv.set_attr would set it on the outermost wrapper)
            self.venv.env_method("set_wrapper_attr", "episodes", 0, force=False)

    def close(self) -> None:
        """Stop the training envs (worker processes) and free their task slots. Also done when
        the student is garbage-collected (SB3's models sit in reference cycles, so only once the
        cyclic collector runs) or when the interpreter exits."""
        self.loop.close()
        self._close()


def _close(venv: VecEnv, free: Callable[[], None]) -> None:
    venv.close()
    free()


@register_student("ppo")
class PPOStudent(SB3Student):
    """SB3's PPO, on-policy; the learner of the regret-based teachers (PLR, ACCEL, PAIRED)."""

    algorithm = PPO
    action_spaces = (spaces.Box, spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)


@register_student("a2c")
class A2CStudent(SB3Student):
    """SB3's A2C, on-policy."""

    algorithm = A2C
    action_spaces = (spaces.Box, spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)


@register_student("sac")
class SACStudent(SB3Student):
    """SB3's SAC, off-policy, continuous actions (pendulum, mountaincar)."""

    algorithm = SAC
    action_spaces = (spaces.Box,)


@register_student("td3")
class TD3Student(SB3Student):
    """SB3's TD3, off-policy, continuous actions."""

    algorithm = TD3
    action_spaces = (spaces.Box,)


@register_student("dqn")
class DQNStudent(SB3Student):
    """SB3's DQN, off-policy, discrete actions."""

    algorithm = DQN
    action_spaces = (spaces.Discrete,)


def _check_student_keys(params: dict[str, Any]) -> None:
    """The values of the aclbench keys among ``params`` (``vec_env``, ``n_envs``...)."""
    if "vec_env" in params and params["vec_env"] not in VEC_ENVS:
        raise ConfigError(f"vec_env = {params['vec_env']!r}; allowed: {', '.join(VEC_ENVS)}")
    for key in ("n_envs", "torch_threads"):
        value = params.get(key, 1)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"{key} = {value!r}; expected an integer >= 1")
    every = params.get("reset_every", 0)
    if not isinstance(every, int) or isinstance(every, bool) or every < 0:
        raise ConfigError(f"reset_every = {every!r}; expected an integer >= 0 (0: never)")
