"""The corpus of bad inputs (corpus/bad_inputs.toml): suites, command lines, ``-p`` values,
plug-in modules and damaged results folders, each with the outcome it must have. A refused
input is one line ``aclbench: error: ...`` naming what is wrong, exit code 2, nothing written;
a damaged results folder still gives a report, listing every unreadable run by path and reason.
"""

import shutil
import sys
import tomllib
from pathlib import Path

import pytest
import tomli_w

from aclbench.harness.cli import main

CORPUS = tomllib.loads((Path(__file__).parent / "corpus" / "bad_inputs.toml").read_text())
BASE = {
    "name": "c",
    "envs": ["toy"],
    "teachers": ["random"],
    "students": ["simulated"],
    "seeds": [0],
    "steps": 200,
}


def test_the_corpus_is_large_and_every_case_states_its_outcome():
    cases = [case for kind in ("suite", "cli", "results") for case in CORPUS[kind]]
    assert len(cases) >= 80
    assert all(case.get("expect") or case.get("problem") for case in cases)


def files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if "__pycache__" not in p.parts}


def refused(tmp_path: Path, monkeypatch, capsys, args: list[str], case: dict, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))  # main() adds the current folder
    if "module" in case:
        (tmp_path / f"{name}.py").write_text(case["module"])
    before = files(tmp_path)
    try:
        code = main(args)
    except SystemExit as stop:  # argparse's usage errors
        code = stop.code
    finally:
        sys.modules.pop(name, None)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("aclbench") and ": error: " in err and err.count("\n") == 1, err
    for expected in case["expect"]:
        expected = expected.replace("FILE", str(tmp_path / "FILE"))
        assert expected in err, f"{expected!r} not in {err!r}"
    assert files(tmp_path) == before, "something was written"


@pytest.mark.parametrize("index", range(len(CORPUS["suite"])))
def test_bad_suite(index, tmp_path, monkeypatch, capsys):
    case, name = CORPUS["suite"][index], f"corpus_suite_{index}"
    if "text" in case:
        text = case["text"]
    else:
        data = {**BASE, **case.get("set", {})}
        for key in case.get("drop", []):
            del data[key]
        text = tomli_w.dumps(data).replace("MOD", name)
    (tmp_path / "suite.toml").write_text(text)
    refused(tmp_path, monkeypatch, capsys, ["suite", "suite.toml", "--out", "out"], case, name)


@pytest.mark.parametrize("index", range(len(CORPUS["cli"])))
def test_bad_command_line(index, tmp_path, monkeypatch, capsys):
    case, name = CORPUS["cli"][index], f"corpus_cli_{index}"
    (tmp_path / "FILE").write_text(tomli_w.dumps(BASE))
    run = tmp_path / "RUN"  # a cartpole run that looks finished; its model is never loaded
    if "RUN" in case["args"]:
        run.mkdir()
        config = {"env": "cartpole", "teacher": "random", "student": "ppo", "seed": 0, "steps": 9}
        (run / "config.toml").write_text(tomli_w.dumps(config))
        (run / "model.zip").write_bytes(b"")
        if "test_tasks" in case:
            (run / "test_tasks.csv").write_text(case["test_tasks"])
    replace = {
        "MOD": name,
        "OUT": str(tmp_path / "out"),
        "FILE": str(tmp_path / "FILE"),
        "RUN": str(run),
    }
    args = list(case["args"])
    for token, value in replace.items():
        args = [arg.replace(token, value) for arg in args]
    refused(tmp_path, monkeypatch, capsys, args, case, name)


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("results")
    (folder / "s.toml").write_text(tomli_w.dumps({**BASE, "name": "s", "seeds": [0, 1, 2]}))
    assert main(["suite", str(folder / "s.toml"), "--workers", "1", "--out", str(folder)]) == 0
    return folder / "s"


@pytest.mark.parametrize("index", range(len(CORPUS["results"])))
def test_damaged_results_folder(index, results, tmp_path, capsys):
    case = CORPUS["results"][index]
    folder = tmp_path / "s"
    shutil.copytree(results, folder)
    run = folder / "toy/random/seed-1"
    path = run / case["file"]
    if case.get("remove"):
        path.unlink()
    elif "cut" in case:
        path.write_bytes(path.read_bytes()[: case["cut"]])
    else:
        path.write_text(case["text"])
    capsys.readouterr()
    assert main(["report", str(folder), "--reps", "20"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert (folder / "report/report.html").exists()
    if "problem" in case:  # the run is kept, its problem listed in the report
        counts = out.splitlines()[1]
        assert counts.startswith("3 runs: ") and "unreadable" not in counts, out
        assert case["problem"] in (folder / "report/report.md").read_text()
    else:
        assert out.splitlines()[1] == "3 runs: 2 done, 1 unreadable", out
        unreadable = [line for line in out.splitlines() if "unreadable: " in line]
        assert len(unreadable) == 1 and unreadable[0].startswith(f"  unreadable: {run}: ")
        for expected in case["expect"]:
            assert expected in unreadable[0]
