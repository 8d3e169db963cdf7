"""benchmarks.checkpoints: a checkpoint is complete on disk before it replaces the last one."""

import pickle

from aclbench.harness import checkpoints
from aclbench.harness.checkpoints import latest_checkpoint, write_checkpoint


def save_student(folder):
    (folder / "model.zip").write_bytes(b"weights")
    (folder / "buffers").mkdir()
    (folder / "buffers" / "replay.pkl").write_bytes(b"transitions")


def test_every_file_is_flushed_before_the_checkpoint_is_renamed_into_place(tmp_path, monkeypatch):
    write_checkpoint(tmp_path, {"env_steps": 1}, save_student)
    synced = []

    def recording_sync(path):
        # what is synced, and whether the new checkpoint had already replaced the old one then
        replaced = pickle.loads((tmp_path / "checkpoint" / "harness.pkl").read_bytes())
        synced.append((path.relative_to(tmp_path).as_posix(), replaced["env_steps"]))
        real_sync(path)

    real_sync = checkpoints._sync
    monkeypatch.setattr(checkpoints, "_sync", recording_sync)
    write_checkpoint(tmp_path, {"env_steps": 2}, save_student)
    before_rename = {path for path, steps in synced if steps == 1}
    assert before_rename == {
        "checkpoint.tmp",
        "checkpoint.tmp/model.zip",
        "checkpoint.tmp/buffers",
        "checkpoint.tmp/buffers/replay.pkl",
        "checkpoint.tmp/harness.pkl",
    }
    assert synced[-1] == (".", 2)  # the run folder, after the renames
    state, folder = latest_checkpoint(tmp_path)
    assert state == {"env_steps": 2} and (folder / "buffers" / "replay.pkl").read_bytes()
    assert not (tmp_path / "checkpoint.old").exists()
