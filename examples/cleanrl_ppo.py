"""A curriculum in a single-file, CleanRL-style PPO: torch and Gymnasium's AsyncVectorEnv only.

PPO as in Schulman et al. 2017, "Proximal Policy Optimization Algorithms" (clipped surrogate,
GAE of Schulman et al. 2016), written out as CleanRL does. The curriculum adds three lines,
marked ``# curriculum``: the envs come from ``curriculum.env_fns``, and ``curriculum.collect()``
runs after every ``reset`` and ``step``. ``--no-curriculum`` runs the same loop on plain envs,
which draw their own uniform tasks (``benchmarks/perf/throughput.py`` compares the two).

    python examples/cleanrl_ppo.py [--total-steps 4096] [--no-curriculum]
"""

import argparse
import time

import gymnasium as gym
import torch
from torch import nn

import aclbench
from aclbench.envs.curriculum import Curriculum

ENV_ID, N_ENVS, N_STEPS, EPOCHS, MINIBATCHES = "aclbench/CartPole-v0", 4, 128, 4, 4
GAMMA, LAMBDA, CLIP, LR, ENT_COEF, VF_COEF, MAX_GRAD = 0.99, 0.95, 0.2, 2.5e-4, 0.01, 0.5, 0.5


class Agent(nn.Module):
    def __init__(self, n_obs: int, n_actions: int) -> None:
        super().__init__()
        self.critic = nn.Sequential(nn.Linear(n_obs, 64), nn.Tanh(), nn.Linear(64, 1))
        self.actor = nn.Sequential(nn.Linear(n_obs, 64), nn.Tanh(), nn.Linear(64, n_actions))

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.critic(obs).squeeze(-1)

    def act(self, obs: torch.Tensor, action: torch.Tensor | None = None) -> tuple:
        dist = torch.distributions.Categorical(logits=self.actor(obs))
        action = dist.sample() if action is None else action
        return action, dist.log_prob(action), dist.entropy(), self.value(obs)


def train(
    total_steps: int, use_curriculum: bool = True, seed: int = 0, teacher_name: str = "alp-gmm"
) -> dict:
    torch.manual_seed(seed)
    curriculum = None
    if use_curriculum:
        task_space = aclbench.make_env("cartpole").unwrapped.task_space
        teacher = aclbench.make_teacher(teacher_name, task_space, seed=seed)
        curriculum = Curriculum(teacher, n_envs=N_ENVS)  # curriculum
        env_fns = curriculum.env_fns(ENV_ID)  # curriculum
    else:
        env_fns = [lambda: gym.make(ENV_ID)] * N_ENVS
    envs = gym.vector.AsyncVectorEnv(env_fns)
    agent = Agent(envs.single_observation_space.shape[0], envs.single_action_space.n)
    optimizer = torch.optim.Adam(agent.parameters(), lr=LR, eps=1e-5)
    obs_buf = torch.zeros((N_STEPS, N_ENVS, envs.single_observation_space.shape[0]))
    act_buf, logp_buf, rew_buf, done_buf, val_buf = (torch.zeros(N_STEPS, N_ENVS) for _ in range(5))

    obs, _ = envs.reset(seed=seed)
    if curriculum is not None:
        curriculum.collect()  # curriculum
    obs, done = torch.tensor(obs, dtype=torch.float32), torch.zeros(N_ENVS)
    finished, start, steps = 0, time.perf_counter(), 0
    while steps < total_steps:
        for t in range(N_STEPS):  # rollout
            obs_buf[t], done_buf[t] = obs, done
            with torch.no_grad():
                action, logp, _, value = agent.act(obs)
            next_obs, reward, terminated, truncated, _ = envs.step(action.numpy())
            if curriculum is not None:
                curriculum.collect()  # curriculum
            act_buf[t], logp_buf[t], val_buf[t] = action, logp, value
            rew_buf[t] = torch.tensor(reward, dtype=torch.float32)
            obs = torch.tensor(next_obs, dtype=torch.float32)
            done = torch.tensor(terminated | truncated, dtype=torch.float32)
            finished += int(done.sum())
        steps += N_STEPS * N_ENVS
        # Autoreset is on the next step: a step after a done is a reset, not a transition.
        valid = torch.cat([torch.ones(1, N_ENVS), 1.0 - done_buf[1:]])
        with torch.no_grad():  # GAE
            advantages, last_gae, next_value = torch.zeros_like(rew_buf), 0.0, agent.value(obs)
            for t in reversed(range(N_STEPS)):
                not_done = 1.0 - (done if t == N_STEPS - 1 else done_buf[t + 1])
                value_next = next_value if t == N_STEPS - 1 else val_buf[t + 1]
                delta = rew_buf[t] + GAMMA * value_next * not_done - val_buf[t]
                last_gae = delta + GAMMA * LAMBDA * not_done * last_gae
                advantages[t] = last_gae
            returns = advantages + val_buf
        keep = valid.flatten().bool()
        b_obs = obs_buf.reshape(-1, obs_buf.shape[-1])[keep]
        b_act, b_logp, b_adv, b_ret = (
            x.flatten()[keep] for x in (act_buf, logp_buf, advantages, returns)
        )
        for _ in range(EPOCHS):  # update
            for idx in torch.randperm(len(b_obs)).chunk(MINIBATCHES):
                _, logp, entropy, value = agent.act(b_obs[idx], b_act[idx])
                ratio = (logp - b_logp[idx]).exp()
                adv = (b_adv[idx] - b_adv[idx].mean()) / (b_adv[idx].std() + 1e-8)
                pg_loss = torch.max(-adv * ratio, -adv * ratio.clamp(1 - CLIP, 1 + CLIP)).mean()
                loss = (
                    pg_loss
                    + VF_COEF * ((value - b_ret[idx]) ** 2).mean()
                    - ENT_COEF * entropy.mean()
                )
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), MAX_GRAD)
                optimizer.step()
    envs.close()
    updates = curriculum.delivered if curriculum is not None else 0
    if curriculum is not None:
        curriculum.close()
    return {
        "steps": steps,
        "finished": finished,
        "updates": updates,
        "seconds": time.perf_counter() - start,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--total-steps", type=int, default=4096)
    parser.add_argument("--no-curriculum", action="store_true")
    args = parser.parse_args()
    result = train(args.total_steps, use_curriculum=not args.no_curriculum)
    print(f"{result['updates']} teacher updates, {result['finished']} finished episodes")
