"""``aclbench play``: a run's student replayed on a test task, written as a GIF or an MP4."""

import importlib.util

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from aclbench.harness import play as playing
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
        (["--task", "1", "--out", "x.avi"], "--out x.avi: give a .gif or .mp4 file name"),
        (["--task", "1", "--model", "missing.zip"], "missing.zip: no model"),
    ],
)
def test_bad_play_arguments_are_one_line_and_write_nothing(cartpole_run, capsys, args, message):
    before = sorted(p.name for p in cartpole_run.iterdir())
    assert main(["play", str(cartpole_run), *args]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in cartpole_run.iterdir()) == before


def test_play_writes_an_mp4_of_one_episode(cartpole_run, tmp_path, capsys):
    out = tmp_path / "watch.mp4"
    assert main(["play", str(cartpole_run), "--task", "5", "--out", str(out)]) == 0
    steps = int(capsys.readouterr().out.split(" in ")[-1].split()[0])
    assert out.read_bytes()[4:8] == b"ftyp"  # an MP4 (ISO base media) file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["watch.mp4"]  # no temporary left
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert meta["codec"].startswith("h264") and meta["size"] == (600, 400)
    assert meta["fps"] == 50  # CartPole's render_fps
    frames = [np.frombuffer(data, np.uint8).reshape(400, 600, 3) for data in reader]
    assert len(frames) == steps + 1  # the reset's frame, then one per step
    assert frames[0].std() > 0 and not np.array_equal(frames[0], frames[-1])  # the pole moves


def test_a_replay_can_be_short_and_small(cartpole_run, tmp_path):
    out = tmp_path / "small.gif"
    task = playing.test_task(cartpole_run, 5)
    replay = playing.play(cartpole_run, task, out, max_steps=9, width=150, every=2)
    assert replay.steps <= 9
    with Image.open(out) as gif:
        assert gif.size == (150, 100)
        assert 1 < gif.n_frames <= 5  # frames 0, 2, ..., 8 of at most 10
        assert gif.info["duration"] == 40  # every 2nd frame of 50 fps: the same speed


def test_mp4_without_imageio_is_one_line_naming_the_extra(cartpole_run, monkeypatch, capsys):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "imageio_ffmpeg" else find_spec(name, *args),
    )
    before = sorted(p.name for p in cartpole_run.iterdir())
    assert main(["play", str(cartpole_run), "--task", "1", "--out", "x.mp4"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'aclbench[video]'" in err
    assert sorted(p.name for p in cartpole_run.iterdir()) == before


def test_a_simulated_student_has_nothing_to_replay(tmp_path, capsys):
    toy = ["--env", "toy", "--teacher", "random", "--student", "simulated", "--steps", "100"]
    assert main(["run", *toy, "--out", str(tmp_path / "toy")]) == 0
    assert main(["play", str(tmp_path / "toy"), "--task", "0"]) == 2
    assert "student 'simulated' has no policy to replay" in capsys.readouterr().err


def test_a_normalized_student_plays_with_its_saved_statistics(tmp_path, capsys):
    out = tmp_path / "norm"
    assert main(["run", *CARTPOLE, *SMALL, "-p", "student.normalize=true", "--out", str(out)]) == 0
    assert (out / "vecnormalize.pkl").is_file()  # beside model.zip
    assert main(["play", str(out), "--task", "0"]) == 0
    assert "wrote" in capsys.readouterr().out
