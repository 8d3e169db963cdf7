"""benchmarks/perf/gpu_check.py cannot rot: its checks run on the CPU alone, and without CUDA
the default run skips cleanly."""

import pytest
import torch

from benchmarks.perf import gpu_check


def test_every_check_passes_with_the_cpu_standing_in_for_the_gpu(capsys):
    assert gpu_check.main(["--device", "cpu", "--steps", "250"]) == 0
    out = capsys.readouterr().out
    assert "ppo: checkpoints cpu -> cpu and cpu -> cpu resumed and trained on" in out
    assert "sac: checkpoints cpu -> cpu and cpu -> cpu resumed and trained on" in out
    assert "all checks passed" in out


def test_a_resume_that_loses_the_weights_fails_the_check(monkeypatch, tmp_path):
    source = gpu_check.build("ppo", "cpu")
    try:
        gpu_check.train(source, 250)
        original = gpu_check.weights

        def perturbed(student):
            found = original(student)
            if student is not source:
                found = {k: v + 1 for k, v in found.items()}
            return found

        monkeypatch.setattr(gpu_check, "weights", perturbed)
        problems = gpu_check.resume_on("ppo", source, "cpu", 250, tmp_path / "c")
    finally:
        source.close()
    assert problems == ["weights changed crossing cpu -> cpu"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_without_cuda_the_default_run_skips_and_succeeds(capsys):
    assert gpu_check.main([]) == 0
    assert "skipped, torch" in capsys.readouterr().out
