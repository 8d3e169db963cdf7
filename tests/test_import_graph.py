"""The package's import graph has no cycle at all.

``make imports`` checks the layers with import-linter, whose ``acyclic_siblings`` contract finds
cycles between the modules and subpackages of one package, but not one through a package's
``__init__`` (``students/sb3.py`` importing ``aclbench.students``, which imports ``sb3``). This
test finds every cycle: the strongly connected components of grimp's module graph.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ROOT = Path(__file__).resolve().parents[1]

GRAPH = """
import json, grimp
graph = grimp.build_graph("aclbench", cache_dir=None)
print(json.dumps({m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}))
"""
"""Prints each module's direct imports within the package."""


def link_tree(into: Path) -> None:
    """The package laid out under ``into`` as ``[tool.setuptools.package-dir]`` installs it,
    in links: grimp walks the package's folders and cannot follow the editable install."""
    package_dir = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ]
    (into / "aclbench").mkdir()
    for module in (ROOT / package_dir["aclbench"]).glob("*.py"):
        (into / "aclbench" / module.name).symlink_to(module)
    for name, folder in package_dir.items():
        if name != "aclbench":
            (into / name.replace(".", "/")).symlink_to(ROOT / folder)


def import_graph(tmp_path: Path) -> dict[str, list[str]]:
    link_tree(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", GRAPH],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or not."""
    modules = sorted(graph)
    index = {m: i for i, m in enumerate(modules)}
    edges = [(index[a], index[b]) for a, imported in graph.items() for b in imported]
    rows, cols = zip(*edges) if edges else ((), ())
    matrix = coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(len(modules),) * 2)
    _, labels = connected_components(matrix, directed=True, connection="strong")
    groups = [[modules[i] for i in np.flatnonzero(labels == k)] for k in np.unique(labels)]
    return [group for group in groups if len(group) > 1]


def test_cycles_finds_a_cycle_through_a_package_init() -> None:
    graph = {"p": ["p.a"], "p.a": ["p"], "p.b": ["p.a"], "q": []}
    assert cycles(graph) == [["p", "p.a"]]


def test_the_package_has_no_import_cycle(tmp_path: Path) -> None:
    graph = import_graph(tmp_path)
    assert {"aclbench.teachers.base", "aclbench.students.sb3", "aclbench.harness.cli"} <= set(graph)
    assert cycles(graph) == []
