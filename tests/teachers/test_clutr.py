"""``clutr``: the shipped VAE, valid levels decoded from latent codes, a policy that learns to
find regret, and an exact state."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from aclbench.envs.maze import MazeTaskSpace
from aclbench.errors import ConfigError
from aclbench.teachers import clutr
from aclbench.teachers.clutr import CLUTRTeacher
from aclbench.teachers.clutr_vae import (
    decode_codes,
    load_vae,
    reconstruction_scores,
    save_vae,
    train_vae,
)

MAZE = MazeTaskSpace()
SHIPPED = Path(clutr.__file__).parent / "models" / clutr.SHIPPED["maze:size=13:max_walls=60"]


def test_shipped_vae_reconstructs_held_out_random_levels_better_than_chance() -> None:
    assert SHIPPED.stat().st_size < 500_000
    vae, trained_for = load_vae(SHIPPED)  # torch.load(weights_only=True)
    codec = MAZE.level_sequence()
    assert trained_for == codec.key
    rng = np.random.default_rng(2026)  # not the training levels' seed (0)
    tasks = [codec.sample(rng) for _ in range(300)]
    scores = reconstruction_scores(vae, codec, tasks)
    # chance: a reconstruction is as close to another level as to its own
    assert scores["jaccard"] > scores["jaccard_shuffled"] + 0.02, scores
    # what the small latent code keeps best: how many walls a level has
    sequences = [codec.encode(task) for task in tasks]
    tokens, lengths, _, _ = vae.batch(sequences)
    mu, _ = vae.encode(tokens, lengths)
    decoded = decode_codes(vae, mu.detach().numpy())
    n_walls = [[len(s) - 2 for s in seqs] for seqs in (sequences, decoded)]
    assert np.corrcoef(*n_walls)[0, 1] > 0.8


def walls(task: np.ndarray) -> int:
    return int(MAZE.level(task).walls.sum())


def play_rounds(teacher: CLUTRTeacher, rounds: int, levels: int = 16) -> list[list[int]]:
    """Rounds of synthetic students: the antagonist solves every level, the protagonist only
    those with more than 20 walls, so the regret is highest on the open levels. The walls of
    each round's levels."""
    built = []
    for _ in range(rounds):
        tasks = [teacher.sample_task() for _ in range(levels)]
        for task in tasks:
            teacher.update(task, 0.0 if walls(task) <= 20 else 1.0, info={"agent": "protagonist"})
            teacher.update(task, 1.0, info={"agent": "antagonist"})
        teacher.end_round()
        built.append([walls(t) for t in tasks])
    return built


def test_on_the_maze_it_decodes_varied_valid_levels_with_the_shipped_vae() -> None:
    pretrained = dict(clutr._PRETRAINED)
    teacher = CLUTRTeacher(MAZE, seed=0)
    assert clutr._PRETRAINED == pretrained  # loaded, not trained
    tasks = [teacher.sample_task() for _ in range(60)]
    for task in tasks:
        MAZE.level(task)  # raises if the level is invalid
    assert len({t.tobytes() for t in tasks}) > 50
    assert np.std([walls(t) for t in tasks]) > 3.0


def test_the_policy_learns_to_generate_the_levels_of_highest_regret() -> None:
    teacher = CLUTRTeacher(MAZE, seed=0, learning_rate=3e-3)
    built = play_rounds(teacher, rounds=15, levels=12)
    share = [np.mean(np.array(round_walls) <= 20) for round_walls in built]
    first, last = np.mean(share[:5]), np.mean(share[-5:])
    assert last > first + 0.3, (first, last)
    assert teacher.inner_state()["last_round_mean_regret"] > 0.5


def test_state_dict_restores_the_teacher_exactly_mid_round() -> None:
    teacher = CLUTRTeacher(MAZE, seed=3, learning_rate=1e-3)
    play_rounds(teacher, rounds=2, levels=4)
    level = teacher.sample_task()
    teacher.update(level, 0.5, info={"agent": "antagonist"})
    state = teacher.state_dict()
    assert "vae" not in state and "codec" not in state  # frozen: rebuilt, not saved
    restored = CLUTRTeacher(MAZE, seed=99, learning_rate=1e-3)
    restored.load_state_dict(pickle.loads(pickle.dumps(state)))
    for other in (teacher, restored):
        other.update(level, 0.0, info={"agent": "protagonist"})
    np.testing.assert_array_equal(teacher.end_round(), restored.end_round())
    later = [play_rounds(t, rounds=2, levels=4) for t in (teacher, restored)]
    assert later[0] == later[1]
    np.testing.assert_array_equal(teacher.sample_task(), restored.sample_task())


def test_a_model_file_of_another_space_or_no_model_is_refused(tmp_path: Path) -> None:
    small = MazeTaskSpace(size=5, max_walls=4)
    path = tmp_path / "small.pt"
    save_vae(train_vae(small.level_sequence(), steps=2), path, small.level_sequence().key)
    assert small.contains(CLUTRTeacher(small, seed=0, model=str(path)).sample_task())
    with pytest.raises(ConfigError, match="clutr: model = .* was trained for 'maze:size=5"):
        CLUTRTeacher(MAZE, seed=0, model=path)
    (tmp_path / "junk.pt").write_text("not a model")
    with pytest.raises(ConfigError, match="clutr: model = .*junk.pt' is not a VAE file"):
        CLUTRTeacher(MAZE, seed=0, model=str(tmp_path / "junk.pt"))
