"""build_report end to end: the files it writes and what they say."""

from __future__ import annotations

import io
import re
import shutil

import pytest

from aclbench.errors import ConfigError
from aclbench.harness.report import build_report, print_summary

FIGURES = {
    "ratio_to_random",
    "curves_cartpole",
    "curves_toy",
    "aggregates",
    "improvement",
    "performance_profiles",
    *(
        f"curriculum_{env}_{teacher}"
        for env in ("cartpole", "toy")
        for teacher in ("random", "alp-gmm", "riac", "my-teacher")
    ),
}


def test_every_figure_as_png_and_pdf(report_dir):
    figures = report_dir / "figures"
    assert {p.stem for p in figures.glob("*.png")} == FIGURES
    assert {p.stem for p in figures.glob("*.pdf")} == FIGURES
    for name in FIGURES:
        assert (figures / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert (figures / f"{name}.pdf").read_bytes().startswith(b"%PDF")


def test_markdown_final_table(report_dir):
    md = (report_dir / "report.md").read_text()
    final = md.split("## Final results", 1)[1].split("Mean final % mastered as a ratio", 1)[0]
    rows = {
        tuple(cell.strip().strip("*") for cell in line.strip("|").split("|")[:2]): line
        for line in final.splitlines()
        if line.startswith("| ") and "95% CI" not in line
    }
    assert len(rows) == 8
    # toy: my-teacher 70 80 90 is best (bold); random is the reference
    best = rows[("toy", "my-teacher")]
    assert "**80.0 \\[70.0, 90.0\\]**" in best and "3 / 3" in best
    assert "(reference)" in rows[("toy", "random")]
    assert "30.0 \\[" in rows[("toy", "random")]  # mean of 10 20 30 60
    # cartpole is read at step 800 (my-teacher's budget): random 24 32 40 40 -> mean 34.0
    assert "34.0 \\[" in rows[("cartpole", "random")] and "| 800 |" in rows[("cartpole", "random")]
    assert "3 / 4" in rows[("cartpole", "riac")]  # the failed seed counts in the total


def test_problems_and_warnings_are_listed(report_dir):
    md = (report_dir / "report.md").read_text()
    assert "RuntimeError: simulated crash" in md
    assert "still running, or interrupted" in md
    assert re.search(r"\| toy \| riac \| 3 \| missing \|", md)
    assert "runs differ in budgets" in md and "runs differ in test sets" in md
    assert "cartpole: final scores of every teacher are compared at 800 env steps" in md
    assert "alp-gmm: the first 3 seeds of each env are used" in md


def test_provenance_lists_every_run(report_dir):
    md = (report_dir / "report.md").read_text()
    section = md.split("## Provenance", 1)[1]
    table = [line for line in section.splitlines() if line.startswith("| ")][1:]
    assert len(table) == 29  # every run folder, whatever its state
    assert all("2.9.0" in line and "abc1234" in line for line in table)
    assert all("Test Processor, AVX2" in line for line in table)  # float results depend on it


def test_html_is_self_contained(report_dir):
    page = (report_dir / "report.html").read_text()
    assert page.count('<img src="data:image/png;base64,') == len(FIGURES)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)
    assert "<script" not in page


def test_default_folder_and_summary(synthetic, tmp_path):
    source = synthetic.baseline / "demo" / "toy" / "random"
    shutil.copytree(source, tmp_path / "results" / "toy" / "random")
    html = build_report([tmp_path / "results"], reps=20)
    assert html == tmp_path / "results" / "report" / "report.html" and html.exists()
    out = io.StringIO()
    print_summary([synthetic.baseline], file=out)
    text = out.getvalue()
    assert "23 runs: 21 done, 1 failed, 1 running, 1 missing" in text
    assert "toy: random 30.0 (4/4), alp-gmm 60.0 (4/4), riac 30.0 (3/4)" in text


def test_bad_options_name_what_is_allowed(synthetic):
    with pytest.raises(ConfigError, match="allowed: iqm, mean"):
        build_report([synthetic.baseline], statistic="median")
    with pytest.raises(ConfigError, match="reps must be a positive"):
        build_report([synthetic.baseline], reps=0)


def test_a_teacher_that_failed_everywhere_is_reported_not_dropped(run_writer, tmp_path):
    for seed in (0, 1):
        for teacher, state in (("random", "done"), ("alp-gmm", "failed")):
            folder = tmp_path / "r" / teacher / f"seed-{seed}"
            run_writer(
                folder, suite="s", env="toy", teacher=teacher, seed=seed, final=50, state=state
            )
    html = build_report([tmp_path / "r"], reps=10)
    md = (html.parent / "report.md").read_text()
    assert re.search(r"\| toy \| alp-gmm \| n/a \| n/a \| n/a \| 0 / 2 \| n/a \|", md)
    assert md.count("failed: RuntimeError: simulated crash") == 2
    assert "alp-gmm: no finished run on any env, so it is left out of the aggregates." in md


def test_a_folder_whose_runs_all_failed_still_gets_its_report(run_writer, tmp_path):
    """No figure is drawn, so nothing else creates the report folder."""
    for seed in (0, 1):
        folder = tmp_path / "r" / "random" / f"seed-{seed}"
        run_writer(
            folder, suite="s", env="toy", teacher="random", seed=seed, final=50, state="failed"
        )
    html = build_report([tmp_path / "r"], reps=10)
    assert html == tmp_path / "r" / "report" / "report.html" and html.exists()
    assert (html.parent / "report.md").read_text().count(
        "failed: RuntimeError: simulated crash"
    ) == 2


@pytest.mark.parametrize(
    ("seeds", "finals", "cell"),
    [
        # the demo's old flaw: 2 seeds a side with no variance starred "p < 0.001"
        (
            2,
            {"random": [50, 50], "alp-gmm": [80, 80]},
            "not meaningful (fewer than 5 seeds; n = 2, 2)",
        ),
        (5, {"random": [50] * 5, "alp-gmm": [80] * 5}, "not meaningful (no variance; n = 5, 5)"),
        (
            5,
            {"random": [40, 50, 60, 45, 55], "alp-gmm": [80, 90, 85, 95, 75]},
            "<0.001 * (n = 5, 5)",
        ),
    ],
)
def test_a_p_value_is_starred_only_where_the_test_means_something(
    run_writer, tmp_path, seeds, finals, cell
):
    for teacher, values in finals.items():
        for seed in range(seeds):
            folder = tmp_path / "r" / teacher / f"seed-{seed}"
            run_writer(folder, suite="s", env="toy", teacher=teacher, seed=seed, final=values[seed])
    md = (build_report([tmp_path / "r"], reps=10).parent / "report.md").read_text()
    final_rows = [line for line in md.splitlines() if f"| {seeds} / {seeds} |" in line]
    row = next(line for line in final_rows if "alp-gmm" in line)
    row = row.replace("\\", "")  # Markdown escapes of < and *
    assert f"| {cell} |" in row
    assert row.replace("**", "").count("*") == cell.count("*")
