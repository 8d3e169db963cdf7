"""Task graphs: which tasks of a finite set must be mastered before which.

Shared by the teachers that read a curriculum graph (Mastering Rate, Willems et al. 2020) and
the envs that expose one (the simulated task-graph student, the MiniGrid sequence), so that both
validate a user's graph the same way. A graph is given as a mapping ``task -> predecessors``;
a task is named by its index ``0 .. n - 1``, by its index as a string (TOML keys are strings),
or by its name when task names are known. Tasks that appear nowhere have no predecessors.
"""

from __future__ import annotations

import graphlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from aclbench.errors import ConfigError

TaskRef = int | str
"""A task in a graph given by a user: its index, its index as a string, or its name."""

GraphSpec = Mapping[TaskRef, Iterable[TaskRef]]
"""What users write: ``{task: [its predecessors]}``, e.g. ``{1: [0], 2: [1]}`` for a chain."""


@dataclass(frozen=True)
class TaskGraph:
    """A validated directed acyclic graph over tasks ``0 .. n - 1``.

    Attributes:
        predecessors: ``predecessors[i]`` are the tasks that must be mastered before ``i``.
        successors: ``successors[i]`` are the tasks that list ``i`` as a predecessor.
        ancestors: ``ancestors[i]`` are all the tasks from which ``i`` can be reached.
        order: the tasks in a topological order (every task after its predecessors).
    """

    predecessors: tuple[tuple[int, ...], ...]
    successors: tuple[tuple[int, ...], ...]
    ancestors: tuple[tuple[int, ...], ...]
    order: tuple[int, ...]

    @property
    def n(self) -> int:
        return len(self.predecessors)

    @classmethod
    def build(cls, spec: GraphSpec | None, n: int, names: Sequence[str] | None = None) -> TaskGraph:
        """Validate ``spec`` over ``n`` tasks; ``None`` means independent tasks.

        Raises:
            ConfigError: a task that is not ``0 .. n - 1`` nor one of ``names``, or a cycle
                (the message lists the tasks of the cycle).
        """
        if spec is not None and not isinstance(spec, Mapping):
            raise ConfigError(
                f"a task graph is a mapping task -> list of predecessors, e.g. {{1: [0]}}; "
                f"got {spec!r}"
            )
        preds: list[set[int]] = [set() for _ in range(n)]
        for task, task_preds in (spec or {}).items():
            index = _resolve(task, n, names)
            if isinstance(task_preds, (str, int)) or not isinstance(task_preds, Iterable):
                raise ConfigError(
                    f"task graph: the predecessors of {task!r} must be a list, got {task_preds!r}"
                )
            preds[index].update(_resolve(p, n, names) for p in task_preds)
        sorter = graphlib.TopologicalSorter({i: preds[i] for i in range(n)})
        try:
            order = tuple(sorter.static_order())
        except graphlib.CycleError as err:
            cycle = " -> ".join(_label(i, names) for i in err.args[1])
            raise ConfigError(
                f"task graph has a cycle: {cycle}; a task cannot (indirectly) require itself"
            ) from None
        succs: list[list[int]] = [[] for _ in range(n)]
        for task, task_preds in enumerate(preds):
            for p in task_preds:
                succs[p].append(task)
        ancestors: list[set[int]] = [set() for _ in range(n)]
        for task in order:
            for p in preds[task]:
                ancestors[task] |= ancestors[p] | {p}
        return cls(
            predecessors=tuple(tuple(sorted(p)) for p in preds),
            successors=tuple(tuple(sorted(s)) for s in succs),
            ancestors=tuple(tuple(sorted(a)) for a in ancestors),
            order=order,
        )

    @classmethod
    def chain(cls, tasks: Sequence[int], n: int) -> TaskGraph:
        """``tasks[0] -> tasks[1] -> ...``; the other tasks of ``0 .. n - 1`` are independent."""
        return cls.build({b: [a] for a, b in zip(tasks, tasks[1:], strict=False)}, n)

    def to_spec(self) -> dict[int, list[int]]:
        """The plain mapping ``task -> predecessors`` (tasks with none left out)."""
        return {i: list(p) for i, p in enumerate(self.predecessors) if p}


def _resolve(task: TaskRef, n: int, names: Sequence[str] | None) -> int:
    if isinstance(task, str) and names is not None and task in names:
        return list(names).index(task)
    if isinstance(task, str) and task.strip().lstrip("-").isdigit():
        task = int(task)
    if isinstance(task, int) and not isinstance(task, bool) and 0 <= task < n:
        return task
    known = f"; names: {', '.join(names)}" if names else ""
    raise ConfigError(f"task graph: unknown task {task!r}; tasks are the indices 0..{n - 1}{known}")


def _label(index: int, names: Sequence[str] | None) -> str:
    return names[index] if names else str(index)
