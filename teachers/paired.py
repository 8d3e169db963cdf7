"""``paired``: an adversary that builds levels to maximize the regret between two students.

Dennis, Jaques, Vinitsky, Bayen, Russell, Critch and Levine (NeurIPS 2020), "Emergent Complexity
and Zero-shot Transfer via Unsupervised Environment Design". Three learners: the protagonist
(the student we evaluate), an antagonist (a second student, allied with the adversary) and the
adversary (this teacher). Each round, the adversary builds a batch of levels step by step
(:mod:`teachers.level_builders`: for the maze, walls then the goal then the agent; for other
task spaces, the task vector one dimension per step); both students play them; the regret of a
level is::

    regret = max(max over the antagonist's episodes of its return
                 - mean over the protagonist's episodes of its return, 0)

and the adversary is trained by PPO (:mod:`teachers.paired_policy`) with the regret as the
reward of the construction. The antagonist can solve what the adversary builds, so the
adversary cannot win by making levels impossible: regret is highest on levels that are
solvable but that the protagonist fails.

Working with a student. A Teacher trains no student, so the PAIRED rounds are run by the SB3
students (:mod:`students.paired`), for this teacher declares the ``adversarial`` capability:
they sample ``n_envs`` levels, have the protagonist and the antagonist each play one rollout on
them and learn from it, report every episode through ``update(task, return,
info={"agent": "protagonist" | "antagonist"})``, then call :meth:`end_round`. Feedback without
``agent`` counts as the protagonist's, so with any other student the teacher still proposes
levels, from an adversary that never learns.

Defaults from the reference maze configuration (dcd): PPO with 5 epochs, clip 0.2, learning
rate 1e-4, no entropy bonus; the network is a 2 x 64 tanh MLP rather than the reference's
convolutional LSTM (the builder's observation already holds the whole level).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from aclbench.task_space import Task, TaskSpace
from aclbench.teachers.arms import draw
from aclbench.teachers.level_builders import LevelBuilder, builder_for
from aclbench.teachers.params import check_int
from aclbench.teachers.registry import register_teacher
from aclbench.teachers.regret_rounds import RegretRoundsTeacher, check_ppo_params, regret

__all__ = ["PAIREDTeacher", "regret"]


@register_teacher("paired")
class PAIREDTeacher(RegretRoundsTeacher):
    """PAIRED's adversary: builds levels with a policy trained to maximize regret.

    Args:
        task_space: the levels.
        seed: seed of the teacher's generator (network initialization included).
        learning_rate: Adam step size of the adversary.
        epochs: PPO epochs per round.
        clip_range: PPO ratio clip.
        entropy_coef: entropy bonus of the adversary.
        hidden: width of the adversary's two hidden layers.
        bins: choices per continuous dimension, for task spaces without their own builder.
    """

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        learning_rate: float = 1e-4,
        epochs: int = 5,
        clip_range: float = 0.2,
        entropy_coef: float = 0.0,
        hidden: int = 64,
        bins: int = 20,
    ) -> None:
        super().__init__(task_space, seed=seed)
        ppo = check_ppo_params(self, learning_rate, clip_range, entropy_coef, epochs, hidden)
        self.bins = check_int(self, "bins", bins, 1)
        builder = self._builder()
        from aclbench.teachers.paired_policy import AdversaryPolicy  # torch, only where it is used

        self.policy = AdversaryPolicy(
            builder.obs_dim,
            builder.n_actions,
            seed=int(self.rng.integers(2**31)),
            **ppo,
        )

    def _builder(self) -> LevelBuilder:
        return builder_for(self.task_space, bins=self.bins)

    # --- sampling ------------------------------------------------------------------------------
    def _sample_task(self) -> Task:
        builder = self._builder()
        builder.reset()
        actions = np.zeros(builder.n_steps, dtype=np.int64)
        for t in range(builder.n_steps):
            probs = self.policy.probabilities(builder.observation(), builder.mask())
            actions[t] = draw(probs, self.rng)
            builder.step(int(actions[t]))
        task = builder.level(self.rng)
        self._generated(task, actions)
        return task

    # --- learning ------------------------------------------------------------------------------
    def _train(self, choices: list[NDArray[Any]], rewards: list[float]) -> dict[str, Any]:
        """Replay each construction through a builder to get its observations and masks; one
        PPO update of the adversary."""
        builder = self._builder()
        n, steps = len(choices), builder.n_steps
        obs = np.zeros((n, steps, builder.obs_dim), dtype=np.float32)
        masks = np.zeros((n, steps, builder.n_actions), dtype=bool)
        for i, actions in enumerate(choices):
            builder.reset()
            for t, action in enumerate(actions):
                obs[i, t], masks[i, t] = builder.observation(), builder.mask()
                builder.step(int(action))
        return self.policy.update(obs, masks, np.stack(choices), np.asarray(rewards))

    # --- report --------------------------------------------------------------------------------
    def inner_state(self) -> dict[str, Any]:
        return {**super().inner_state(), "adversary_entropy": self.last_stats.get("entropy")}
