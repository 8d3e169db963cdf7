"""``aclbench report --videos``: clips of the final students on an easy and a hard test task,
small, inside the report folder and linked relatively."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from PIL import Image

from aclbench.harness import runner
from aclbench.harness.cli import main
from aclbench.harness.config import RunConfig
from aclbench.harness.report.videos import EVERY, MAX_STEPS, WIDTH


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """A tiny PPO run on cartpole and a simulated student on toy, as a suite lays them out."""
    root = tmp_path_factory.mktemp("videos") / "tiny"
    ppo = {"n_envs": 2, "n_steps": 128, "n_epochs": 1}
    configs = {
        "cartpole/random/seed-0": RunConfig(
            env="cartpole",
            teacher="random",
            student="ppo",
            seed=0,
            steps=256,
            eval_interval=256,
            student_params=ppo,
        ),
        "toy/random/seed-0": RunConfig(
            env="toy", teacher="random", student="simulated", seed=0, steps=200
        ),
    }
    for path, config in configs.items():
        assert runner.run(config, root / path)["state"] == "done"
    return root


def test_clips_of_the_easy_and_the_hard_task_are_small_and_linked(results, capsys):
    assert main(["report", str(results), "--videos", "--reps", "20"]) == 0
    out = results / "report"
    final = pd.read_csv(results / "cartpole/random/seed-0/eval_tasks.csv")
    final = final[final["env_steps"] == final["env_steps"].max()].set_index("task_index")
    easy, hard = final["return"].idxmax(), final["return"].idxmin()
    assert easy != hard

    md = (out / "report.md").read_text()
    watch = md.split("## Watch the students", 1)[1].split("## Provenance", 1)[0]
    assert f"easy: test task {easy} (pole\\_length" in watch
    assert f"hard: test task {hard} (pole\\_length" in watch
    assert "toy: no finished run saved a model to replay" in watch
    clips = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", watch)
    assert clips == ["videos/cartpole_random_easy.gif", "videos/cartpole_random_hard.gif"]
    html = (out / "report.html").read_text()
    linked = [src for src in re.findall(r'src="([^"]+)"', html) if not src.startswith("data:")]
    assert linked == clips  # the page loads nothing from outside its folder
    total = 0
    for clip in clips:
        with Image.open(out / clip) as gif:
            assert gif.format == "GIF" and gif.width == WIDTH
            assert 1 <= gif.n_frames <= MAX_STEPS // EVERY + 1
        total += (out / clip).stat().st_size
    assert total < 1_000_000

    assert main(["report", str(results), "--reps", "20"]) == 0  # without: no section, no clips
    assert "Watch the students" not in (out / "report.md").read_text()
    assert not list((out / "videos").glob("*.gif"))
