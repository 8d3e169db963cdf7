"""The README's "write your own teacher" example runs as printed."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_write_your_own_teacher_example_runs_and_passes_check_teacher():
    section = README.read_text().split("## Write your own teacher", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert "check_teacher(IntermediateDifficultyTeacher" in code
    check = code + (
        "\nfrom aclbench import make_teacher"
        "\nteacher = make_teacher('intermediate', TaskSpace({'x': (0.0, 1.0)}), seed=0)"
        "\nteacher.update([0.5], 0.5)"
        "\nassert teacher.intermediate and teacher.sample_task().shape == (1,)"
    )
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
