"""students.normalization: VecNormalize statistics updated in training only, frozen and used at
evaluation, saved with the model and in checkpoints, restored exactly on resume."""

from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from stable_baselines3.common.vec_env import VecNormalize

from aclbench.envs import make_env, task_env
from aclbench.errors import ConfigError
from aclbench.students import make_student
from aclbench.students.normalization import FILE, Normalization, observation_normalizer
from aclbench.teachers import make_teacher

SMALL = {"n_envs": 2, "n_steps": 64, "batch_size": 64, "n_epochs": 1}


class Quiet:
    def on_episode(self, task, episode_return, env_steps):
        pass

    def on_steps(self, env_steps):
        pass


def student(normalize, seed=0):
    env = make_env("cartpole")
    teacher = make_teacher("random", task_env(env).task_space, seed=seed)
    env.close()
    return make_student(
        "ppo", "cartpole", teacher, seed=seed, device="cpu", normalize=normalize, **SMALL
    )


def test_settings_and_bad_values():
    assert Normalization.from_setting(False) == Normalization(obs=False, reward=False)
    assert Normalization.from_setting(True) == Normalization(obs=True, reward=True)
    assert Normalization.from_setting("obs") == Normalization(obs=True, reward=False)
    for bad in ("yes", 1, None):
        with pytest.raises(ConfigError, match=r"normalize = .*; allowed: false, true, \"obs\""):
            Normalization.from_setting(bad)


def test_training_updates_the_statistics_and_evaluation_only_uses_them(tmp_path: Path):
    with closing(student(True)) as s:
        assert isinstance(s.venv, VecNormalize) and s.venv.norm_reward
        s.learn(256, Quiet())
        count, mean = s.venv.obs_rms.count, s.venv.obs_rms.mean.copy()
        assert count > 256  # updated by every training step
        tasks = np.asarray(task_env(make_env("cartpole")).test_tasks())[:4]
        first = s.evaluate(tasks)
        assert s.venv.obs_rms.count == count  # evaluation never updates them
        np.testing.assert_array_equal(s.venv.obs_rms.mean, mean)
        np.testing.assert_array_equal(s.evaluate(tasks), first)  # and they are what it uses
        s.venv.obs_rms.mean += 100.0  # other statistics: other observations, other actions
        assert not np.array_equal(s.evaluate(tasks), first)


def test_statistics_are_saved_beside_the_model_and_restored_exactly(tmp_path: Path):
    with closing(student(True)) as s:
        s.learn(256, Quiet())
        s.save_checkpoint(tmp_path)
        saved = s.venv.obs_rms.mean.copy(), s.venv.ret_rms.var.copy(), s.venv.obs_rms.count
    assert (tmp_path / FILE).exists() and (tmp_path / "model.zip").exists()
    frozen = observation_normalizer(tmp_path / "model.zip")
    assert frozen is not None and not frozen.training
    np.testing.assert_array_equal(frozen.obs_rms.mean, saved[0])
    with closing(student(True)) as resumed:
        resumed.load_checkpoint(tmp_path)
        np.testing.assert_array_equal(resumed.venv.obs_rms.mean, saved[0])
        np.testing.assert_array_equal(resumed.venv.ret_rms.var, saved[1])
        assert resumed.venv.obs_rms.count == saved[2]
        resumed.learn(128, Quiet())  # and it trains on from there
        assert resumed.venv.obs_rms.count > saved[2]


def test_a_checkpoint_of_another_normalization_is_refused(tmp_path: Path):
    with closing(student(False)) as plain:
        assert not isinstance(plain.venv, VecNormalize)
        plain.save_checkpoint(tmp_path)
    assert not (tmp_path / FILE).exists() and observation_normalizer(tmp_path / "model.zip") is None
    with closing(student("obs")) as normalized, pytest.raises(ConfigError, match="normalizes"):
        normalized.load_checkpoint(tmp_path)


def test_stump_tracks_ppo_normalizes_by_default():
    from aclbench.students.hyperparams import default_params

    assert default_params("ppo", "stump-tracks")["normalize"] is True
    assert default_params("ppo", "cartpole")["normalize"] is False
