"""A teacher with no RL at all: ALP-GMM on the toy bench, whose env is its own simulated learner
(each play of a task raises the competence of its cell, once a neighbour is mastered)."""

import aclbench

env = aclbench.make_env("toy", noise=0.0)
teacher = aclbench.make_teacher("alp-gmm", env.unwrapped.task_space, seed=0)
curriculum = aclbench.Curriculum(teacher)  # no vectorized envs: this loop plays the tasks itself
env.reset(seed=0)
played = 0
for _ in range(2_000):
    task = curriculum.sample_task()
    env.reset(options={"task": task})
    _, episode_return, *_ = env.step(0)  # one step per episode
    curriculum.report(task, episode_return)
    played += 1
mastered = env.unwrapped.mastered_fraction()
print(
    f"{curriculum.delivered} teacher updates, {played} finished episodes; {mastered:.0%} mastered"
)
