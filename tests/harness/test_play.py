"""``aclbench play``: a run's student replayed on a test task, written as a GIF."""

import pytest
from PIL import Image

from aclbench.harness.cli import main

CARTPOLE = ["--env", "cartpole", "--teacher", "random", "--student", "ppo", "--steps", "256"]
SMALL = ["-p", "student.n_envs=2", "-p", "student.n_steps=128"]


@pytest.fixture(scope="module")
def cartpole_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("play") / "run"
    assert main(["run", *CARTPOLE, *SMALL, "--out", str(out)]) == 0
    return out


def test_play_writes_a_gif_of_one_episode_on_a_test_task(cartpole_run, capsys):
    assert main(["play", str(cartpole_run), "--task", "5"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {cartpole_run / 'play-task-5.gif'}: task {{'pole_length'")
    steps = int(printed.split(" in ")[-1].split()[0])
    with Image.open(cartpole_run / "play-task-5.gif") as gif:
        assert gif.size == (600, 400)  # CartPole's rgb_array frame
        assert 1 < gif.n_frames <= steps + 1  # Pillow merges identical frames


def test_play_takes_task_values_and_an_output_file(cartpole_run, tmp_path, capsys):
    out = tmp_path / "watch" / "long-pole.gif"
    argv = ["play", str(cartpole_run), "--task-values", "0.5", "0.1", "10", "--out", str(out)]
    assert main(argv) == 0
    assert "'pole_length': 0.5, 'pole_mass': 0.1, 'force_mag': 10.0" in capsys.readouterr().out
    assert out.is_file() and not list(out.parent.glob("*.tmp"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "64"], "--task 64: the run's test set has tasks 0 to 63"),
        ([], "needs one of --task K or --task-values"),
        (["--task", "1", "--task-values", "0.3"], "needs one of --task K or --task-values"),
        (["--task-values", "9", "0.1", "10"], "pole_length"),
        (["--task", "1", "--out", "x.mp4"], "only .gif is written"),
        (["--task", "1", "--model", "missing.zip"], "missing.zip: no model"),
    ],
)
def test_bad_play_arguments_are_one_line_and_write_nothing(cartpole_run, capsys, args, message):
    before = sorted(p.name for p in cartpole_run.iterdir())
    assert main(["play", str(cartpole_run), *args]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in cartpole_run.iterdir()) == before


def test_a_simulated_student_has_nothing_to_replay(tmp_path, capsys):
    toy = ["--env", "toy", "--teacher", "random", "--student", "simulated", "--steps", "100"]
    assert main(["run", *toy, "--out", str(tmp_path / "toy")]) == 0
    assert main(["play", str(tmp_path / "toy"), "--task", "0"]) == 2
    assert "student 'simulated' has no policy to replay" in capsys.readouterr().err
