"""``aclbench report DIR --baseline B``: new runs beside stored baselines, one protocol."""

import pytest

from aclbench.harness.cli import main

SUITE = """
name = "small"
envs = ["toy"]
teachers = ["random", "alp-gmm"]
students = ["simulated"]
seeds = [0, 1]
steps = 600
eval_interval = 200
"""


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    root = tmp_path_factory.mktemp("stored")
    path = root / "small.toml"
    path.write_text(SUITE)
    assert main(["suite", str(path), "--out", str(root / "baselines")]) == 0
    return root / "baselines" / "small"


def run_new(tmp_path, text):
    path = tmp_path / "small.toml"
    path.write_text(text)
    assert main(["suite", str(path), "--out", str(tmp_path / "mine"), "--teachers", "riac"]) == 0
    return tmp_path / "mine" / "small"


def test_new_runs_of_the_same_protocol_are_reported_beside_the_baselines(baseline, tmp_path):
    mine = run_new(tmp_path, SUITE)
    assert main(["report", str(mine), "--baseline", str(baseline), "--reps", "10"]) == 0
    md = (mine / "report" / "report.md").read_text()
    for teacher in ("random", "alp-gmm", "riac"):
        assert f"| toy | {teacher} |" in md


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("steps = 600", "steps = 800"), "toy@simulated: steps 800 (baseline: 600)"),
        (("seeds = [0, 1]", "seeds = [0, 1, 2]"), "seeds [0, 1, 2] (baseline: [0, 1])"),
        (
            ("eval_interval = 200", "eval_interval = 200\n[env.toy]\nkwargs = { noise = 0.1 }"),
            'env_kwargs {"noise": 0.1} (baseline: {})',
        ),
        (
            ("eval_interval = 200", "eval_interval = 200\nrugged = { cuts = 2 }"),
            'rugged {"cuts": 2} (baseline: {})',
        ),
    ],
)
def test_runs_of_another_protocol_are_refused_naming_the_keys(
    baseline, tmp_path, capsys, change, named
):
    mine = run_new(tmp_path, SUITE.replace(*change))
    capsys.readouterr()
    assert main(["report", str(mine), "--baseline", str(baseline)]) == 2
    err = capsys.readouterr().err
    assert "do not share the baselines' protocol" in err and named in err
    assert not (mine / "report").exists()
