"""Tasks of any space as token sequences (CLUTR's VAE input): one token per dimension."""

from __future__ import annotations

import numpy as np

from aclbench.task_space import TaskSpace
from aclbench.teachers.level_sequences import VectorCodec, codec_for

MIXED = TaskSpace({"size": 3, "gravity": (-20.0, 0.0), "flat": (1.0, 1.0)})


def test_discrete_values_round_trip_and_continuous_ones_stay_in_their_bin() -> None:
    codec = VectorCodec(MIXED, bins=4)
    assert (codec.vocab_size, codec.max_len) == (4, 3)
    rng = np.random.default_rng(0)
    for _ in range(100):
        task = MIXED.sample(rng)
        tokens = codec.encode(task)
        assert tokens[0] == task[0] and tokens[1] == min(int((task[1] + 20.0) / 5.0), 3)
        back = codec.decode(tokens, rng)
        assert back[0] == task[0] and abs(back[1] - task[1]) <= 5.0 and back[2] == 1.0


def test_any_tokens_decode_into_the_space() -> None:
    codec = VectorCodec(MIXED, bins=4)
    rng = np.random.default_rng(1)
    for tokens in ([], [3], [3, 3, 3, 3, 3], [7, 9]):
        assert MIXED.contains(codec.decode(tokens, rng))
    assert codec.decode([3, 0], rng)[0] == 0.0  # past the 3 sizes: wraps around


def test_codec_for_falls_back_to_one_token_per_dimension() -> None:
    codec = codec_for(MIXED, bins=7)
    assert isinstance(codec, VectorCodec) and codec.vocab_size == 7
    assert codec.key != codec_for(TaskSpace({"x": (0.0, 1.0)})).key
