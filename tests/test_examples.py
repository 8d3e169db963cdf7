"""The README's "Use a teacher in your own training loop" examples run, as printed, and feed the
teacher exactly one update per finished episode."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SECTION = (ROOT / "README.md").read_text().split("## Use a teacher in your own training loop")[1]
SECTION = SECTION.split("\n## ", 1)[0]


@pytest.mark.parametrize(
    ("example", "args"),
    [("sb3_a2c.py", []), ("cleanrl_ppo.py", ["--total-steps", "1024"]), ("no_rl.py", [])],
)
def test_example_feeds_the_teacher_once_per_finished_episode(example: str, args: list) -> None:
    path = ROOT / "examples" / example
    assert f"](examples/{example})" in SECTION
    result = subprocess.run(
        [sys.executable, str(path), *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr
    updates, finished = map(
        int, re.search(r"(\d+) teacher updates, (\d+) finished episodes", result.stdout).groups()
    )
    assert updates == finished > 0


@pytest.mark.parametrize("example", ["sb3_a2c.py", "no_rl.py"])
def test_readme_shows_the_example_file_verbatim(example: str) -> None:
    blocks = re.findall(r"```python\n(.*?)```", SECTION, re.S)
    assert (ROOT / "examples" / example).read_text() in blocks


def test_readme_cleanrl_lines_are_in_the_file() -> None:
    code = (ROOT / "examples" / "cleanrl_ppo.py").read_text()
    assert "curriculum.env_fns(ENV_ID)" in code and "curriculum.collect()" in code
    assert "gym.vector.AsyncVectorEnv(env_fns)" in code
