"""A curriculum in your own Stable-Baselines3 script: ALP-GMM picks CartPole's physics."""

from stable_baselines3 import A2C
from stable_baselines3.common.vec_env import SubprocVecEnv, VecMonitor

import aclbench
from aclbench.students.callback import CurriculumCallback

if __name__ == "__main__":
    task_space = aclbench.make_env("cartpole").unwrapped.task_space
    teacher = aclbench.make_teacher("alp-gmm", task_space, seed=0)
    curriculum = aclbench.Curriculum(teacher, n_envs=2)  # each env plays its own tasks
    venv = VecMonitor(SubprocVecEnv(curriculum.env_fns("aclbench/CartPole-v0")))
    model = A2C("MlpPolicy", venv, seed=0, device="cpu")
    model.learn(1_000, callback=CurriculumCallback(curriculum))  # the one line to add
    model.learn(1_000, callback=CurriculumCallback(curriculum))  # learn again: still fed
    print(f"{curriculum.delivered} teacher updates, {venv.episode_count} finished episodes")
    venv.close()
