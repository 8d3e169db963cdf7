"""A teacher in any training loop: envs that play the tasks it gives, feedback delivered once.

Two sides, one channel. :class:`Curriculum` lives in the main process with the teacher; its
:meth:`~Curriculum.env_fns` build the training envs, each inside a :class:`CurriculumEnv`, and
can be handed to any vectorized env (Gymnasium's ``SyncVectorEnv`` and ``AsyncVectorEnv``,
SB3's ``DummyVecEnv`` and ``SubprocVecEnv``) or called directly. A training loop calls
:meth:`Curriculum.collect` after each ``reset`` and ``step`` of its envs (SB3:
``students.callback.CurriculumCallback`` does it); each finished episode then reaches
``teacher.update`` exactly once, with the task the env reports it really played.

The envs and the main process share only a small block of shared memory (:class:`TaskSlots`),
never the teacher: the task of each env's next episodes is written into it, and each finished
episode's task and return are written back. Tasks travel one episode ahead: when episode ``k``
of an env ends, its episode ``k + 1`` already has a task, so a vectorized env that resets a
finished env at once (SB3) never waits for the main process, and ``collect`` writes the task of
episode ``k + 2``. Why shared memory rather than ``env_method`` round trips: a blocking round
trip to the workers on every step where an episode ends slows PPO on cartpole by over a tenth
on a loaded machine (``benchmarks/perf/throughput.py``); a write into shared memory costs
microseconds. Feedback arrives as a number in memory, whatever shape the vectorized env gives
its ``info``, so the same channel serves every vectorized env.

Misuse fails loudly (:class:`~aclbench.errors.CurriculumError`): a ``Curriculum`` cannot be
pickled (a copy in a worker process would train a teacher nobody reads); an env that starts an
episode whose task was never written (no one calls ``collect``) raises instead of playing tasks
of its own; an env that plays another task than the one given at reset is reported by
``collect``. An episode cut by a ``reset`` before it ended is not fed to the teacher.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from multiprocessing import shared_memory
from typing import Any, Protocol, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec
from numpy.typing import ArrayLike, NDArray

from aclbench.envs.core import task_env
from aclbench.errors import CurriculumError
from aclbench.task_space import Task, TaskSpace

TASK_KEY = "aclbench_task"
"""``info`` key of an episode's last step: the task the episode was played on, ``(n_dims,)``."""
RETURN_KEY = "aclbench_return"
"""``info`` key of an episode's last step: the undiscounted sum of the env's rewards."""

FINISHED, CUT, FINISHED_OWN = 1.0, 2.0, 3.0
"""Result codes: finished on the curriculum's task, cut by a reset, finished on a task given
explicitly by ``reset(options={"task": ...})``."""

EnvSource = str | EnvSpec | Callable[..., gym.Env]
"""What :meth:`Curriculum.env_fns` builds envs from: a Gymnasium id, a spec, or a function that
returns an env (picklable where the envs run in worker processes)."""


class TeacherLike(Protocol):
    """What the channel needs of a teacher (:class:`aclbench.teachers.Teacher` has it)."""

    @property
    def task_space(self) -> TaskSpace: ...

    def sample_task(self) -> Task: ...

    def update(self, task: ArrayLike, episode_return: float) -> None: ...


class TaskSlots:
    """Shared memory of ``n_envs`` envs: the tasks of their next episodes and their results.

    Episode ``k`` of env ``e`` reads its task from slot ``(e, k % depth)``, which holds
    ``[k, *task]``; at its end (or when a reset cuts it) the env writes ``[k, code, return,
    *played_task]`` into the result slot of the same place. A slot whose number is not ``k``
    has not been written for this episode. Pickles by name, so that a worker process attaches
    to the same memory.

    Args:
        strict: an env starting an episode with no task written raises (training); otherwise it
            draws a task of its own (evaluation envs that have played their share).
        name: attach to this existing block instead of creating one.
    """

    def __init__(
        self, n_envs: int, depth: int, n_dims: int, *, strict: bool = False, name: str | None = None
    ) -> None:
        self.shape = (n_envs, depth, 1 + n_dims)
        self.strict = strict
        size = max(8, n_envs * (depth * (2 * n_dims + 4) + 1) * 8)
        self._owner = name is None
        self._memory = shared_memory.SharedMemory(name=name, create=self._owner, size=size)
        tasks, results = n_envs * depth * (1 + n_dims), n_envs * depth * (3 + n_dims)
        self.slots: NDArray[np.float64] = np.ndarray(self.shape, np.float64, self._memory.buf)
        self.results: NDArray[np.float64] = np.ndarray(
            (n_envs, depth, 3 + n_dims), np.float64, self._memory.buf, offset=tasks * 8
        )
        self.reported: NDArray[np.float64] = np.ndarray(
            (n_envs,), np.float64, self._memory.buf, offset=(tasks + results) * 8
        )
        """Per env, the results written so far: one array to read when nothing happened."""
        if self._owner:
            self.slots[..., 0] = -1.0
            self.results[..., 0] = -1.0
            self.reported[:] = 0.0

    @property
    def name(self) -> str:
        """Name of the shared-memory block."""
        return self._memory.name

    def __reduce__(self) -> tuple[Any, ...]:
        n_envs, depth, width = self.shape
        return _attach, (n_envs, depth, width - 1, self.strict, self.name)

    def write(self, env: int, episode: int, task: ArrayLike) -> None:
        row = self.slots[env, episode % self.shape[1]]
        row[1:] = task
        row[0] = episode  # then the number, which marks the row complete

    def read(self, env: int, episode: int) -> Task | None:
        """The task written for ``episode`` of ``env``, or ``None``."""
        row = self.slots[env, episode % self.shape[1]]
        return row[1:].copy() if row[0] == episode else None

    def report(self, env: int, episode: int, code: float, value: float, task: Task) -> None:
        row = self.results[env, episode % self.shape[1]]
        row[1:] = (code, value, *task)
        row[0] = episode  # then the number, which marks the row complete
        self.reported[env] += 1

    def unlink(self) -> None:
        """Free the memory (owner only); attached processes keep their mapping until they exit."""
        del self.slots, self.results, self.reported
        self._memory.close()
        if self._owner:
            self._memory.unlink()


def _attach(n_envs: int, depth: int, n_dims: int, strict: bool, name: str) -> TaskSlots:
    return TaskSlots(n_envs, depth, n_dims, strict=strict, name=name)


class CurriculumEnv(gym.Wrapper):
    """The env side: plays the task written for each episode and reports how it went.

    Every ``reset`` starts a new episode number and plays the task the :class:`Curriculum`
    wrote for it; the last step of every episode also puts the task played and the
    undiscounted sum of the env's rewards into ``info`` (:data:`TASK_KEY`, :data:`RETURN_KEY`).
    An explicit ``reset(options={"task": task})`` wins (it must lie in the task space) and is
    reported to the teacher as played. Build it with :meth:`Curriculum.env_fns`.

    Args:
        env: an aclbench env (see :class:`envs.core.TaskEnv`), possibly already wrapped.
        slots: where this env's tasks are written.
        index: this env's row in ``slots``.
    """

    def __init__(self, env: gym.Env, slots: TaskSlots, index: int) -> None:
        super().__init__(env)
        self._inner = task_env(env)  # once: a protocol check costs microseconds per reset
        if self._inner.task_space.shape != (slots.shape[2] - 1,):
            raise CurriculumError(
                f"env {env} has {len(self._inner.task_space)} task dimensions, the "
                f"curriculum's teacher {slots.shape[2] - 1}; build the teacher from the env's "
                "task_space"
            )
        self.slots = slots
        self.index = index
        self.episodes = 0
        self._task: Task | None = None
        self._own = False
        self._return = 0.0
        self._running = False

    def next_task(self) -> Task | None:
        """The task written for the next episode, if any (for tests and debugging)."""
        return self.slots.read(self.index, self.episodes)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        if self._running:  # the episode under way is cut: it did not finish
            self._report(CUT)
        options = dict(options or {})
        self._own = options.get("task") is not None
        if not self._own:
            options["task"] = self.slots.read(self.index, self.episodes)
            if options["task"] is None and self.slots.strict:
                raise CurriculumError(
                    f"env {self.index} starts episode {self.episodes}, but the curriculum wrote "
                    "no task for it: nothing delivers finished episodes to the teacher. Call "
                    "curriculum.collect() after every reset() and step() of the envs (with SB3, "
                    "pass callback=CurriculumCallback(curriculum) to learn())"
                )
        obs, info = self.env.reset(seed=seed, options=options)  # may refuse the task: no episode
        self.episodes += 1
        self._task = np.array(self._inner.task, dtype=np.float64)
        self._return = 0.0
        self._running = True
        return obs, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._return += float(reward)
        if terminated or truncated:
            info[TASK_KEY] = self._task
            info[RETURN_KEY] = self._return
            self._report(FINISHED_OWN if self._own else FINISHED)
        return obs, reward, terminated, truncated, info

    def _report(self, code: float) -> None:
        assert self._task is not None
        self.slots.report(self.index, self.episodes - 1, code, self._return, self._task)
        self._running = False


def make_wrapped_env(
    env: EnvSource, env_kwargs: dict[str, Any], slots: TaskSlots, index: int
) -> gym.Env:
    """Env factory for vectorized envs: picklable (by ``functools.partial``) and building from
    an id or spec, so that a worker process needs no registration of its own."""
    inner = env(**env_kwargs) if callable(env) else gym.make(env, **env_kwargs)
    return CurriculumEnv(inner, slots, index)


class Curriculum:
    """The teacher side: gives each env its tasks and feeds every finished episode back once.

    Args:
        teacher: stays in this process; its ``task_space`` must be the envs'.
        n_envs: envs in the vectorized env, each playing its own tasks; 0 for a loop that
            plays the tasks itself (:meth:`sample_task`, :meth:`report`).

    The tasks of every env's first two episodes are sampled here, so the envs can be reset as
    soon as they are built. ``Curriculum`` cannot be pickled: give worker processes
    :meth:`env_fns`, never the curriculum or the teacher.

    Attributes:
        playing: ``n_envs`` x ``n_dims``, the task of each env's episode under way (after
            :meth:`collect`).
        queued: ``n_envs`` x ``n_dims``, the task of each env's next episode.
        delivered: finished episodes fed to the teacher so far.
        moves: times an env's ``playing`` task moved on to its next episode's (finished or
            cut episodes): a loop that records the task of every step reads ``playing`` again
            only when this changed.
        on_episode: if set, called with ``(task, return)`` of each finished episode just before
            the teacher's ``update`` (a logger, the harness's listener).
    """

    def __init__(self, teacher: TeacherLike, n_envs: int = 0) -> None:
        if not isinstance(n_envs, int) or isinstance(n_envs, bool) or n_envs < 0:
            raise CurriculumError(f"n_envs = {n_envs!r}; expected an integer >= 0")
        self.teacher = teacher
        self.slots = TaskSlots(n_envs, 2, len(teacher.task_space), strict=True)
        self._close = weakref.finalize(self, self.slots.unlink)
        self.delivered = 0
        self.moves = 0
        self.on_episode: Callable[[Task, float], None] | None = None
        self._n_envs = n_envs
        self._given: list[Task] = []
        self._reported = self.slots.reported.tolist()
        self.restart(np.zeros(n_envs, dtype=np.int64))

    @property
    def n_envs(self) -> int:
        return self._n_envs

    def __reduce__(self) -> tuple[Any, ...]:
        raise CurriculumError(
            "a Curriculum holds the teacher and must stay in the main process: a copy in a "
            "worker would learn from episodes the real teacher never sees. Give the vectorized "
            "env curriculum.env_fns(...), which carry only shared memory"
        )

    # --- env side --------------------------------------------------------------------------
    def env_fns(self, env: EnvSource, **env_kwargs: Any) -> list[Callable[[], gym.Env]]:
        """One picklable env factory per env, for ``AsyncVectorEnv([...])``,
        ``SubprocVecEnv([...])`` and the like, in this order (env ``i`` is row ``i``).

        Args:
            env: a Gymnasium id (``"aclbench/CartPole-v0"``), an ``EnvSpec``, or a function
                returning an aclbench env.
            env_kwargs: passed to ``gymnasium.make`` or to the function.
        """
        if self.n_envs == 0:
            raise CurriculumError(
                "this curriculum has n_envs = 0; build it with Curriculum(teacher, n_envs=N)"
            )
        return [
            functools.partial(make_wrapped_env, env, env_kwargs, self.slots, i)
            for i in range(self.n_envs)
        ]

    # --- feedback --------------------------------------------------------------------------
    def collect(self) -> int:
        """Feed the teacher every episode finished since the last call and queue new tasks.

        Call it after each ``reset`` and ``step`` of the envs, in the main process. Returns the
        number of finished episodes fed. A result the teacher refuses (a NaN return) raises
        and stays unread, so nothing of it is recorded.
        """
        reported = self.slots.reported.tolist()
        if reported == self._reported:  # the common case, a step where no episode ended
            return 0
        depth, results = self.slots.shape[1], self.slots.results
        fed = 0
        for e, (now, before) in enumerate(zip(reported, self._reported)):
            if now == before:
                continue
            while (row := results[e, self._next[e] % depth])[0] == self._next[e]:
                fed += self._consume(e, row[1], float(row[2]), row[3:].copy())
        self._reported = reported  # only now: a result that raised is read again next time
        return fed

    def _consume(self, e: int, code: float, episode_return: float, task: Task) -> int:
        if code == FINISHED and task.tolist() != self.playing[e].tolist():
            raise CurriculumError(
                f"env {e} played task {task.tolist()} on episode {self._next[e]}, but the "
                f"curriculum gave it {self.playing[e].tolist()}: the env ignores the task "
                "given at reset(options={'task': ...}) (check that its reset applies it and "
                "that no wrapper drops the options)"
            )
        finished = code != CUT
        if finished:
            if self.on_episode is not None:
                self.on_episode(task, episode_return)
            self.teacher.update(task, episode_return)
            self.delivered += 1
        self.playing[e] = self.queued[e]
        self.moves += 1
        self.queued[e] = self.teacher.sample_task()
        self.slots.write(e, self._next[e] + 2, self.queued[e])
        self._next[e] += 1
        return int(finished)

    def restart(self, next_episodes: ArrayLike) -> None:
        """Forget the episodes in flight and give every env two fresh tasks, as a new
        curriculum would: after the teacher's state was restored from a checkpoint.

        Args:
            next_episodes: ``n_envs``, the number of the episode each env's next ``reset``
                starts: its :class:`CurriculumEnv`'s ``episodes`` (SB3:
                ``venv.get_attr("episodes")``). The episodes under way are never fed.
        """
        n_envs, n_dims = self._n_envs, len(self.teacher.task_space)
        self._next: list[int] = np.array(next_episodes, dtype=np.int64).reshape(n_envs).tolist()
        self.playing = np.array([self.teacher.sample_task() for _ in range(n_envs)])
        self.queued = np.array([self.teacher.sample_task() for _ in range(n_envs)])
        self.playing, self.queued = (a.reshape(n_envs, n_dims) for a in (self.playing, self.queued))
        for e in range(n_envs):
            self.slots.write(e, self._next[e], self.playing[e])
            self.slots.write(e, self._next[e] + 1, self.queued[e])

    def requeue(self) -> None:
        """Sample a new next task for every env, dropping the queued ones: after a change of
        the teacher's state (a new rollout mode), so that the next episodes play tasks of the
        new state. Episodes under way keep their tasks."""
        for e in range(self.n_envs):
            self.queued[e] = self.teacher.sample_task()
            self.slots.write(e, self._next[e] + 1, self.queued[e])

    # --- loops without vectorized envs ----------------------------------------------------
    def sample_task(self) -> Task:
        """A task from the teacher, for a loop that plays it itself and then :meth:`report`s."""
        task = self.teacher.sample_task()
        self._given.append(task)
        return task

    def report(self, task: ArrayLike, episode_return: float) -> None:
        """Feed back one episode played on a task from :meth:`sample_task`, exactly once."""
        task = self.teacher.task_space.validate(task)
        k = next((i for i, given in enumerate(self._given) if np.array_equal(given, task)), None)
        if k is None:
            raise CurriculumError(
                f"report for task {task.tolist()}, which this curriculum's sample_task() did not "
                "give or which was reported already; report each sampled task exactly once"
            )
        self.teacher.update(task, episode_return)  # validates the return before it records
        del self._given[k]
        self.delivered += 1

    def close(self) -> None:
        """Free the shared memory (also done at garbage collection and interpreter exit)."""
        self._close()
