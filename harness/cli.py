"""The ``aclbench`` command line: list, run, suite, report, play.

Errors a user can fix (unknown names, malformed suites, out-of-range tasks) print as one line
``aclbench: error: ...`` with exit code 2, never as a traceback.

As ``python -m`` does, the current folder is searched for the modules that plug-in names
(``--teacher mymodule:Cls``) and ``--import`` give; unlike ``python -m``, it comes after the
installed packages, so that a project's own ``envs/`` or ``teachers/`` folder is never taken
for a module it shadows.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from aclbench.errors import ACLBenchError, ConfigError
from aclbench.registry import import_modules

SCOPES = {"env": "env_kwargs", "teacher": "teacher_params", "student": "student_params"}
BARE_WORD = re.compile(r"[A-Za-z_][\w.:/-]*")
"""An unquoted ``-p`` value taken as a string (``body=short``, ``device=cuda:1``)."""


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.append(os.getcwd())  # spawned run workers inherit it
    try:
        import_modules(args.imports)
        return int(args.command(args) or 0)
    except ACLBenchError as err:
        print(f"aclbench: error: {err}", file=sys.stderr)
        return 2


def _list(args: argparse.Namespace) -> int:
    if args.what == "envs":
        from aclbench import envs

        broken = 0
        for name in envs.ENVS.names():
            entry = envs.ENVS.get(name)
            try:  # a plug-in env that fails to build is listed as such, not a traceback
                env = entry.make()
                space = envs.task_env(env).task_space
                env.close()
            except Exception as err:  # noqa: BLE001 - any error of a plug-in's code is one line
                broken += 1
                print(f"{name:<20} cannot be built: {type(err).__name__}: {err}  ({entry.gym_id})")
                continue
            dims = repr(space).partition("(")[2].rstrip(")")  # a large space keeps it short
            print(f"{name:<20} {dims}  ({entry.gym_id}: {entry.description})")
        if broken:
            message = f"{broken} env(s) cannot be built (listed above)"
            print(f"aclbench: error: {message}", file=sys.stderr)
            return 2
    else:
        from aclbench import students, teachers

        registry = teachers.TEACHERS if args.what == "teachers" else students.STUDENTS
        for name in registry.names():
            doc = (registry.get(name).__doc__ or "").strip().splitlines()
            print(f"{name:<20} {doc[0] if doc else ''}")
    return 0


def _parse_param(text: str) -> tuple[str, str, Any]:
    """``teacher.fit_rate=150`` -> ("teacher_params", "fit_rate", 150); values are TOML."""
    key, sep, raw = text.partition("=")
    scope, dot, name = key.partition(".")
    if not sep or not dot or scope not in SCOPES or not name:
        raise ConfigError(
            f"--param {text!r}: expected SCOPE.KEY=VALUE with SCOPE one of {', '.join(SCOPES)}"
        )
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError as err:
        if not BARE_WORD.fullmatch(raw):
            raise ConfigError(
                f"--param {text!r}: {raw!r} is not valid TOML ({err}); give a TOML value "
                '(150, 0.5, true, [0, 1], "text") or a bare word (short, cuda:1)'
            ) from None
        value = raw  # a bare word is a string
    return SCOPES[scope], name, value


def _run(args: argparse.Namespace) -> int:
    from aclbench.harness.checks import check_config
    from aclbench.harness.config import RunConfig, check_run_folder
    from aclbench.harness.results import read_status
    from aclbench.harness.runner import run

    if args.config is not None:
        names: tuple[str, ...] = ("env", "teacher", "student", "steps", "seed")
        given = [f"--{k}" for k in names if getattr(args, k) is not None]
        if given:
            raise ConfigError(f"--config reruns a saved config; drop {', '.join(given)}")
        data = RunConfig.load(args.config).to_dict()
        if args.eval_interval is not None and data["checkpoint_interval"] == data["eval_interval"]:
            data["checkpoint_interval"] = 0  # it checkpointed at each evaluation: it still will
    else:
        names = ("env", "teacher", "student", "steps")
        missing = [f"--{k}" for k in names if getattr(args, k) is None]
        if missing:
            raise ConfigError(f"aclbench run needs --config, or {', '.join(missing)}")
        data = {
            "env": args.env,
            "teacher": args.teacher,
            "student": args.student,
            "steps": args.steps,
            "seed": 0 if args.seed is None else args.seed,
        }
    data["imports"] = list(dict.fromkeys([*data.get("imports", []), *args.imports]))
    for option in ("eval_interval", "device", "expert_knowledge"):
        if getattr(args, option) is not None:
            data[option] = getattr(args, option)
    if args.tensorboard:
        data["tensorboard"] = True
    for text in args.param:
        table, name, value = _parse_param(text)
        data[table] = {**data.get(table, {}), name: value}
    config = RunConfig.from_dict(data, source="aclbench run")
    _out_folder(args.out)
    import_modules(config.imports, f"{args.config}: imports" if args.config else "--import")
    check_config(config)
    check_run_folder(args.out, config)  # so a finished run found there is this config's
    if read_status(args.out)["state"] == "done":
        print(f"already done: {args.out} (to train it again, remove it or give another --out)")
        return 0
    status = run(config, args.out, progress=True)
    if status["state"] == "interrupted":
        print(f"aclbench: run interrupted: {status['error']}; rerun the same command to resume")
        return 130
    if status["state"] != "done":
        print(f"aclbench: run failed: {status['error']} (see {args.out}/traceback.txt)")
        return 1
    print(f"done: {args.out}")
    return 0


def _play(args: argparse.Namespace) -> int:
    import numpy as np

    from aclbench.harness.play import play, test_task

    if (args.task is None) == (args.task_values is None):
        raise ConfigError("aclbench play needs one of --task K or --task-values V [V ...]")
    task = np.asarray(args.task_values) if args.task is None else test_task(args.run, args.task)
    out = args.out or args.run / f"play-task-{'custom' if args.task is None else args.task}.gif"
    replay = play(args.run, task, out, model=args.model)
    print(
        f"wrote {replay.path}: task {replay.task}, return {replay.episode_return:.1f} in "
        f"{replay.steps} steps"
    )
    return 0


def _suite(args: argparse.Namespace) -> int:
    from aclbench.harness.executors import Terminated, run_local, run_ray
    from aclbench.harness.results import read_status, write_atomic
    from aclbench.harness.suite import Suite, plan

    if args.executor == "ray" and args.workers is not None:
        raise ConfigError("--workers is for --executor local; Ray places runs by their resources")
    if args.executor == "local" and args.address is not None:
        raise ConfigError("--address is for --executor ray; drop it or add --executor ray")
    _out_folder(args.out)
    suite = Suite.load(args.file, imports=args.imports, teachers=args.teachers)
    todo, skipped = plan(suite, args.out, retry_failed=args.retry_failed)
    (args.out / suite.name).mkdir(parents=True, exist_ok=True)
    write_atomic(args.out / suite.name / "suite.toml", suite.source)  # once it is valid
    print(
        f"suite {suite.name!r}: {len(suite.runs)} runs -> {args.out / suite.name}; "
        f"to run: {len(todo)}; skipped: {skipped['done']} done, {skipped['failed']} failed"
        + (f", {skipped['other']} not failed" if args.retry_failed else "")
    )
    try:
        if args.executor == "ray":
            statuses = run_ray(
                todo,
                args.out,
                address=args.address,
                cpus_per_run=suite.cpus_per_run,
                gpus_per_run=suite.gpus_per_run,
            )
        else:
            statuses = run_local(todo, args.out, workers=args.workers)
    except KeyboardInterrupt as stop:
        statuses = {planned.path: read_status(args.out / planned.path) for planned in todo}
        stopped_by = 143 if isinstance(stop, Terminated) else 130
    else:
        stopped_by = 0
    failed = sorted(str(path) for path, status in statuses.items() if status["state"] == "failed")
    stopped = sum(status["state"] not in ("done", "failed") for status in statuses.values())
    done = len(statuses) - len(failed) - stopped
    print(f"finished: {done} done, {len(failed)} failed, {stopped} interrupted or not started")
    for path in failed:
        print(f"  failed: {path}: {statuses[Path(path)].get('error')}")
    again = f"aclbench suite {args.file} --out {args.out}"
    again += f" --teachers {','.join(args.teachers)}" if args.teachers else ""
    if failed:
        print(f"rerun only these: {again} --retry-failed")
    if stopped:
        print(f"resume the interrupted runs: {again}")
    print(f"report: aclbench report {args.out / suite.name}")
    return stopped_by or (1 if failed or stopped else 0)


def _profile(args: argparse.Namespace) -> int:
    from aclbench.harness.executors import Terminated, run_local
    from aclbench.harness.profile import plan_profile, write_profile

    _out_folder(args.out)
    profile = plan_profile(args.teacher, args.out, seeds=args.seeds, imports=args.imports)
    for suite, env, why in profile.left_out:
        print(f"left out: {suite} on {env}: {why}")
    print(
        f"profile of {args.teacher!r}: {len(profile.suites)} suites, {len(profile.runs)} runs "
        f"-> {args.out}; to run: {len(profile.todo)}"
    )
    try:
        statuses = run_local(profile.todo, args.out, workers=args.workers)
    except KeyboardInterrupt as stop:
        print(f"profile stopped; the same command resumes it from {args.out}")
        return 143 if isinstance(stop, Terminated) else 130
    failed = [path for path, status in statuses.items() if status["state"] != "done"]
    for path in failed:
        print(f"  not done: {path}: {statuses[path].get('error')}")
    rows, page = write_profile(args.teacher, args.out, profile.suites, reps=args.reps)
    for row in rows:
        star = " *" if row.significant else ""
        print(f"  {row.axis:<40} {row.ratio.value:7.2f}x{star}")
    print(f"profile: {page}")
    return 1 if failed else 0


def _report(args: argparse.Namespace) -> int:
    from aclbench.harness.report import build_report, print_summary
    from aclbench.harness.report.protocol import check_protocol

    for folder in args.dirs:
        if not folder.is_dir():
            raise ConfigError(f"results folder {str(folder)!r} does not exist or is not a folder")
    if args.baseline:
        check_protocol(args.dirs, args.baseline)  # refuses runs of another protocol
    dirs = [*args.dirs, *args.baseline]
    html = build_report(
        dirs, args.out, reps=args.reps, statistic=args.statistic, videos=args.videos
    )
    print_summary(dirs)
    print(f"report: {html}")
    return 0


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("aclbench")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _out_folder(path: Path, option: str = "--out") -> None:
    """A folder to write in: refused, before anything is written, where it or a folder above
    it is an existing file."""
    for folder in (path, *path.parents):
        if folder.exists():
            if not folder.is_dir():
                raise ConfigError(
                    f"{option} {str(path)!r}: {str(folder)!r} is a file, not a folder"
                )
            return


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line, like every other error of the command line (argparse prints
    the whole usage first)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aclbench", description="Benchmark suite for Automatic Curriculum Learning in RL."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    plugins = _Parser(add_help=False)
    plugins.add_argument(
        "--import",
        dest="imports",
        action="append",
        default=[],
        metavar="MODULE",
        help="import MODULE first, for the teachers, students and envs it registers by name "
        "(repeatable; the current folder is searched too)",
    )
    listing = commands.add_parser(
        "list", parents=[plugins], help="list registered envs, teachers or students"
    )
    listing.add_argument(
        "what", choices=["envs", "teachers", "students"], help="what to list: %(choices)s"
    )
    listing.set_defaults(command=_list)

    run = commands.add_parser(
        "run", parents=[plugins], help="train one (env, teacher, student, seed) run"
    )
    run.add_argument("--config", type=Path, help="config.toml of an earlier run, to rerun it")
    run.add_argument("--env", help="env name (aclbench list envs) or module:Class")
    run.add_argument("--teacher", help="teacher name (aclbench list teachers) or module:Class")
    run.add_argument("--student", help="student name (aclbench list students) or module:Class")
    run.add_argument("--steps", type=int, help="training budget in env steps (at most 10^12)")
    run.add_argument("--seed", type=int, help="seed (default 0)")
    run.add_argument(
        "--eval-interval",
        type=int,
        help="env steps between evaluations (0, the default: steps // 20, or the env's "
        "minimum if larger)",
    )
    run.add_argument("--device", help="torch device: auto (default), cpu, cuda")
    run.add_argument(
        "--expert-knowledge",
        help="what the teacher is told about the env: none, low (default: the returns that "
        "mean mastery), high (low and an initial distribution of easy tasks)",
    )
    run.add_argument(
        "--tensorboard",
        action="store_true",
        help="write TensorBoard logs into the run's folder (needs aclbench[tensorboard])",
    )
    run.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="SCOPE.KEY=VALUE",
        help="a parameter: teacher.fit_rate=150, student.n_envs=4, env.body='short'",
    )
    run.add_argument(
        "--out", type=Path, required=True, help="the run's folder (rerun: resumes or skips it)"
    )
    run.set_defaults(command=_run)

    suite = commands.add_parser("suite", parents=[plugins], help="run every run of a suite file")
    suite.add_argument("file", type=Path, help="the suite's TOML file (see README: Suites)")
    suite.add_argument(
        "--workers",
        type=_positive_int,
        help="with --executor local: parallel runs (default: one per core)",
    )
    suite.add_argument(
        "--out",
        type=Path,
        default=Path("results"),
        help="results folder; runs go to OUT/SUITE_NAME/... (default: results)",
    )
    suite.add_argument(
        "--retry-failed", action="store_true", help="rerun only the runs that failed before"
    )
    suite.add_argument(
        "--teachers",
        type=_names,
        metavar="NAME[,NAME]",
        help="run only these teachers under the suite's protocol (same layout)",
    )
    suite.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="local: a pool of processes on this machine (default); ray: a Ray cluster",
    )
    suite.add_argument(
        "--address", help="with --executor ray: an existing cluster ('auto' or host:port)"
    )
    suite.set_defaults(command=_suite)

    play = commands.add_parser(
        "play", help="replay a run's trained student on a task and write a GIF or MP4"
    )
    play.add_argument("run", type=Path, help="the run's folder (holding config.toml, model.zip)")
    play.add_argument("--task", type=int, help="index of a task of the run's test_tasks.csv")
    play.add_argument(
        "--task-values", type=float, nargs="+", metavar="V", help="a task given by its values"
    )
    play.add_argument("--model", type=Path, help="a model.zip (default: RUN/model.zip)")
    play.add_argument(
        "--out",
        type=Path,
        help="the .gif or .mp4 to write (default: RUN/play-task-K.gif; .mp4 needs aclbench[video])",
    )
    play.set_defaults(command=_play, imports=[])

    profile = commands.add_parser(
        "profile",
        parents=[plugins],
        help="a teacher's TeachMyAgent challenge profile on the simulated benches (minutes)",
    )
    profile.add_argument("teacher", help="teacher name (aclbench list teachers) or module:Class")
    profile.add_argument(
        "--seeds", type=_positive_int, default=8, help="seeds per challenge (default 8)"
    )
    profile.add_argument(
        "--out",
        type=Path,
        default=Path("profiles"),
        help="results folder, shared by profiles (random's runs are reused; default: profiles)",
    )
    profile.add_argument(
        "--workers", type=_positive_int, help="parallel runs (default: one per core)"
    )
    profile.add_argument(
        "--reps", type=_positive_int, default=2000, help="bootstrap resamples (default 2000)"
    )
    profile.set_defaults(command=_profile)

    report = commands.add_parser("report", help="write the report of result folders")
    report.add_argument(
        "dirs",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="results folders (every run below them; later ones beside the first)",
    )
    report.add_argument("--out", type=Path, help="report folder (default: DIR/report)")
    report.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="stored baselines (results/baselines/SUITE) to compare with; refused where the "
        "runs' protocol differs",
    )
    report.add_argument(
        "--reps", type=_positive_int, default=2000, help="bootstrap resamples (default 2000)"
    )
    report.add_argument(
        "--statistic", choices=["iqm", "mean"], default="iqm", help="curve statistic"
    )
    report.add_argument(
        "--videos",
        action="store_true",
        help="add GIFs of each teacher's final student on an easy and a hard test task "
        "(replays the models: seconds per clip)",
    )
    report.set_defaults(command=_report, imports=[])
    return parser


if __name__ == "__main__":
    sys.exit(main())
