"""benchmarks.runner: what a failed run leaves in its folder."""

import pandas as pd

from benchmarks.config import RunConfig
from benchmarks.runner import run
from teachers.random_teacher import RandomTeacher


def test_a_failed_run_keeps_its_episodes_up_to_the_failure(tmp_path, monkeypatch):
    """The teacher fails at episode 1700, 700 steps after the last evaluation and checkpoint
    (toy episodes are one step): tasks.csv still holds the 1700 episodes played."""
    sample = RandomTeacher._sample_task

    def fail_at_1700(self):
        if self.episodes == 1700:
            raise RuntimeError("teacher bug at episode 1700")
        return sample(self)

    monkeypatch.setattr(RandomTeacher, "_sample_task", fail_at_1700)
    config = RunConfig("toy", "random", "simulated", seed=0, steps=2000, eval_interval=1000)
    status = run(config, tmp_path)
    assert status["state"] == "failed" and "teacher bug at episode 1700" in status["error"]
    tasks = pd.read_csv(tmp_path / "tasks.csv")
    assert tasks["episode"].tolist() == list(range(1700))
    assert tasks["env_steps"].tolist() == list(range(1, 1701))
    assert pd.read_csv(tmp_path / "eval.csv")["env_steps"].tolist() == [0, 1000]
