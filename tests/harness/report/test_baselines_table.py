"""``python -m benchmarks.baselines_table``: the README's headline table from stored runs."""

import pytest

from benchmarks import baselines_table

FINALS = {
    "random": [40, 50, 60, 45, 55],
    "alp-gmm": [80, 90, 85, 95, 75],  # far above random
    "riac": [10, 20, 15, 5, 25],  # far below random
    "plr": [42, 52, 58, 47, 51],  # the same as random
}


@pytest.fixture
def stored(tmp_path, run_writer):
    for teacher, finals in FINALS.items():
        for seed, final in enumerate(finals):
            folder = tmp_path / "baselines" / "suite-a" / "toy" / teacher / f"seed-{seed}"
            run_writer(folder, suite="suite-a", env="toy", teacher=teacher, seed=seed, final=final)
    for teacher, finals in (("random", [50, 50]), ("alp-gmm", [90, 90])):
        for seed, final in enumerate(finals):
            folder = tmp_path / "baselines" / "suite-b" / "toy" / teacher / f"seed-{seed}"
            run_writer(folder, suite="suite-b", env="toy", teacher=teacher, seed=seed, final=final)
    return tmp_path / "baselines"


def rows(text):
    return {
        tuple(cells[:3]): cells[3:]
        for cells in (
            [c.strip() for c in line.strip("|").split(" | ")] for line in text.splitlines()
        )
        if len(cells) == 8
    }


def test_each_teacher_is_placed_against_random_with_its_test_and_seeds(stored):
    table = rows(baselines_table.table(stored))
    alp = table[("suite-a", "toy", "alp-gmm")]
    assert alp[0].startswith("85.0 [")
    assert alp[1] == "1.70"  # 85 / 50
    assert alp[2].startswith("+35.0 [")
    assert alp[3].endswith("(5, 5)") and alp[4] == "**above**"
    assert table[("suite-a", "toy", "riac")][4] == "**below**"
    assert table[("suite-a", "toy", "plr")][4] == "no difference"
    assert table[("suite-a", "toy", "random")][1] == "(reference)"
    # 2 identical seeds a side: a p-value would be an artefact; nothing is claimed
    assert table[("suite-b", "toy", "alp-gmm")][4] == "not tested (fewer than 5 seeds)"


def test_write_replaces_only_the_marked_block(stored, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{baselines_table.START}\nold\n{baselines_table.END}\noutro\n")
    assert baselines_table.main([str(stored), "--write", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n") and "old" not in text
    assert "| suite-a | toy | alp-gmm |" in text
    readme.write_text("no markers")
    assert baselines_table.main([str(stored), "--write", str(readme)]) == 2
