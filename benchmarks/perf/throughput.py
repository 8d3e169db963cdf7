"""PPO training throughput with the curriculum channel, against plain SB3 in the same run.

Both sides train PPO on ``cartpole`` in a ``SubprocVecEnv`` of 4 workers with the same
hyperparameters (``students.hyperparams`` for cartpole, ``n_steps`` doubled to keep 256 steps
per rollout with 4 envs) and one torch thread. The curriculum side is the ``ppo`` student: a
:class:`~aclbench.envs.curriculum.CurriculumEnv` in every worker, the public
:class:`~aclbench.envs.curriculum.Curriculum` with its SB3
:class:`~students.callback.CurriculumCallback` and a ``random`` teacher in the main process, and
a listener that does nothing. The plain side is ``stable_baselines3.PPO`` on the bare envs,
which draw their own uniform tasks (the same distribution).

``--curriculum api`` builds that side from the public API alone, as a user's own script would:
:class:`~aclbench.envs.curriculum.Curriculum`, ``SubprocVecEnv(curriculum.env_fns(...))``, SB3's
``PPO`` and ``model.learn(..., callback=CurriculumCallback(curriculum))``; it measures the
channel without the student's extras (SB3's ``Monitor`` in every worker, for its episode logs,
and the listener).

On a shared machine the load drifts by tens of percent within a minute, so both models live
side by side and train in alternating chunks (``learn`` continued with
``reset_num_timesteps=False``); each side's rate is its steps over its summed ``learn`` time,
and each block of chunks gives one paired ratio. The main process's CPU time per step is
printed too: it is what the callback adds to, and it is less sensitive to other tenants.
Goal: ratio >= 0.95.

``--teacher plr`` (any teacher that takes rollouts) adds the per-step tasks and rewards the
callback records. A teacher that declares ``policy_outputs`` (PLR with a policy score) gets the
policy's entropies and action probabilities, computed at the end of each rollout
(:func:`students.callback.policy_outputs`); that time is timed on its own and printed as a share
of the curriculum side's training time. (PLR also restarts
the envs when a rollout switches between replays and new levels, which plain SB3 never does.)

    python -m benchmarks.perf.throughput [--chunk 4096] [--chunks 24] [--set n_epochs=1]
        [--teacher random] [--teacher-set replay_prob=0.0] [--curriculum student|api]
"""

from __future__ import annotations

import argparse
import ast
import functools
import statistics
import time
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

import gymnasium as gym
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.vec_env import SubprocVecEnv

from aclbench.envs import ENVS
from aclbench.envs.core import task_env
from aclbench.envs.curriculum import Curriculum
from aclbench.students import callback, make_student
from aclbench.students.hyperparams import STUDENT_KEYS, default_params, resolve_schedules
from aclbench.students.sb3 import SB3Student
from aclbench.teachers import Teacher, make_teacher

ENV = "cartpole"
N_ENVS = 4
BLOCK = 4  # chunks per side in one paired ratio


class NullListener:
    def on_episode(self, task: Any, episode_return: float, env_steps: int) -> None:
        pass

    def on_steps(self, env_steps: int) -> None:
        pass


def sb3_side(
    env_fns: list[Callable[[], gym.Env]],
    params: dict[str, Any],
    seed: int,
    hook: BaseCallback | None = None,
) -> tuple[Callable[[int], int], Callable[[], None]]:
    """SB3's PPO on ``SubprocVecEnv(env_fns)``, learning with ``hook`` (if any) as its callback:
    ``learn(steps)`` returns the env steps taken; the second function closes the envs."""
    venv = SubprocVecEnv(env_fns)
    model = PPO("MlpPolicy", venv, seed=seed, device="cpu", **resolve_schedules(params))
    venv.get_attr("spec")  # SB3 waits for the first worker only: wait for all

    def learn(steps: int) -> int:
        before = model.num_timesteps
        model.learn(steps, callback=hook, reset_num_timesteps=before == 0)
        return model.num_timesteps - before

    return learn, venv.close


def plain(params: dict[str, Any], seed: int) -> tuple[Callable[[int], int], Callable[[], None]]:
    spec = gym.spec(ENVS.get(ENV).gym_id)
    return sb3_side([functools.partial(gym.make, spec) for _ in range(N_ENVS)], params, seed)


def teacher_for_env(teacher_name: str, teacher_params: dict[str, Any] | None, seed: int) -> Teacher:
    """The curriculum side's teacher, on the benchmark env's task space."""
    space = task_env(ENVS.get(ENV).make()).task_space
    return make_teacher(teacher_name, space, seed=seed, **(teacher_params or {}))


P = ParamSpec("P")
R = TypeVar("R")


class Timed(Generic[P, R]):
    """A function that adds up the wall time of its calls (typed as the function, so that it
    can stand in for it)."""

    def __init__(self, function: Callable[P, R]) -> None:
        self.function, self.seconds, self.calls = function, 0.0, 0

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        start = time.perf_counter()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.calls += 1


def curriculum(
    params: dict[str, Any],
    seed: int,
    teacher_name: str = "random",
    teacher_params: dict[str, Any] | None = None,
) -> tuple[Callable[[int], int], Callable[[], None]]:
    teacher = teacher_for_env(teacher_name, teacher_params, seed)
    student = make_student(
        "ppo", ENV, teacher, seed=seed, device="cpu", n_envs=N_ENVS, vec_env="subproc", **params
    )
    assert isinstance(student, SB3Student)
    student.venv.get_attr("spec")

    def learn(steps: int) -> int:
        before = student.model.num_timesteps
        student.learn(steps, NullListener())
        return student.model.num_timesteps - before

    return learn, student.close


def public_api(
    params: dict[str, Any],
    seed: int,
    teacher_name: str = "random",
    teacher_params: dict[str, Any] | None = None,
) -> tuple[Callable[[int], int], Callable[[], None]]:
    """The curriculum side as a user's script builds it: the public API and plain SB3."""
    curriculum_ = Curriculum(teacher_for_env(teacher_name, teacher_params, seed), n_envs=N_ENVS)
    learn, close_envs = sb3_side(
        curriculum_.env_fns(gym.spec(ENVS.get(ENV).gym_id)),
        params,
        seed,
        callback.CurriculumCallback(curriculum_),
    )

    def close() -> None:
        close_envs()
        curriculum_.close()

    return learn, close


def literal_settings(settings: list[str]) -> dict[str, Any]:
    """``KEY=VALUE`` settings as a dict (values are Python literals)."""
    return {
        name: ast.literal_eval(value) for name, value in (item.split("=", 1) for item in settings)
    }


def ppo_params(settings: list[str]) -> dict[str, Any]:
    """The student's PPO hyperparameters for cartpole with 4 envs, changed by ``KEY=VALUE``
    settings (values are Python literals)."""
    params = {**default_params("ppo", ENV), "n_steps": 64, **literal_settings(settings)}
    for name in STUDENT_KEYS:
        params.pop(name, None)
    return params


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunk", type=int, default=4096, help="env steps per learn call")
    parser.add_argument("--chunks", type=int, default=24, help="timed learn calls per side")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="PPO hyperparameter"
    )
    parser.add_argument("--teacher", default="random", help="teacher of the curriculum side")
    parser.add_argument(
        "--teacher-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="parameter of the teacher",
    )
    parser.add_argument(
        "--curriculum",
        choices=("student", "api"),
        default="student",
        help="build the curriculum side as the harness's ppo student or from the public API",
    )
    args = parser.parse_args()
    torch.set_num_threads(1)  # the student's default, for the plain side too
    params = ppo_params(args.set)
    print(f"PPO on {ENV}, SubprocVecEnv({N_ENVS}), {args.chunks} x {args.chunk} steps per side")
    teacher_params = literal_settings(args.teacher_set)
    print(
        f"params {params}, curriculum teacher {args.teacher!r} {teacher_params}, "
        f"curriculum side built as the {args.curriculum}"
    )
    timed = callback.policy_outputs = Timed(callback.policy_outputs)

    sides = {
        "plain": plain(params, seed=0),
        "curriculum": (curriculum if args.curriculum == "student" else public_api)(
            params, 0, args.teacher, teacher_params
        ),
    }
    wall = dict.fromkeys(sides, 0.0)
    cpu = dict.fromkeys(sides, 0.0)
    steps = dict.fromkeys(sides, 0)
    block: dict[str, list[float]] = {name: [0.0, 0.0] for name in sides}  # [steps, seconds]
    ratios = []
    try:
        for learn, _ in sides.values():
            learn(args.chunk)  # warm-up, untimed
        timed.seconds, timed.calls = 0.0, 0
        for chunk in range(args.chunks):
            order = list(sides) if chunk % 2 == 0 else list(sides)[::-1]
            for name in order:
                w0, c0 = time.perf_counter(), time.process_time()
                taken = sides[name][0](args.chunk)
                dw, dc = time.perf_counter() - w0, time.process_time() - c0
                wall[name] += dw
                cpu[name] += dc
                steps[name] += taken
                block[name][0] += taken
                block[name][1] += dw
            if (chunk + 1) % BLOCK == 0:
                rate = {name: s / t for name, (s, t) in block.items()}
                ratios.append(rate["curriculum"] / rate["plain"])
                print(
                    f"block {len(ratios)}: plain {rate['plain']:6.0f} steps/s, curriculum "
                    f"{rate['curriculum']:6.0f} steps/s, ratio {ratios[-1]:.3f}",
                    flush=True,
                )
                block = {name: [0.0, 0.0] for name in sides}
    finally:
        for _, close in sides.values():
            close()
    for name in sides:
        print(
            f"{name:>10}: {steps[name] / wall[name]:6.0f} steps/s, main-process CPU "
            f"{1e6 * cpu[name] / steps[name]:6.1f} us/step"
        )
    print(
        f"throughput ratio curriculum / plain: overall "
        f"{(steps['curriculum'] / wall['curriculum']) / (steps['plain'] / wall['plain']):.3f}, "
        f"median of blocks {statistics.median(ratios):.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} blocks); "
        f"CPU per step ratio plain / curriculum "
        f"{(cpu['plain'] / steps['plain']) / (cpu['curriculum'] / steps['curriculum']):.3f}"
    )
    if timed.calls:
        print(
            f"policy entropies and action probabilities: {timed.calls} rollouts, "
            f"{1e6 * timed.seconds / steps['curriculum']:.1f} us/step, "
            f"{100 * timed.seconds / wall['curriculum']:.2f}% of the curriculum side's time"
        )


if __name__ == "__main__":
    main()
