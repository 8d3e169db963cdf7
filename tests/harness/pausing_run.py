"""``aclbench`` that pauses a run right after a checkpoint, so that a test interrupts it at a
known point instead of racing it: ``python -m tests.harness.pausing_run STEPS PAUSED GO run ...``.

Once the run has written a checkpoint of at least STEPS env steps, it writes that checkpoint's
env steps to the file PAUSED and waits until the file GO exists (signals are still handled
meanwhile), then goes on; it pauses once.
"""

import sys
import time
from pathlib import Path
from typing import Any

from aclbench.harness import runner
from aclbench.harness.cli import main


def pause_after(steps: int, paused: Path, go: Path) -> None:
    write = runner.write_checkpoint

    def write_then_pause(run_dir: Path, state: dict[str, Any], *args: Any) -> None:
        write(run_dir, state, *args)
        if state["env_steps"] >= steps and not paused.exists():
            paused.write_text(str(state["env_steps"]))
            while not go.exists():
                time.sleep(0.01)

    runner.write_checkpoint = write_then_pause


if __name__ == "__main__":
    pause_after(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    sys.exit(main(sys.argv[4:]))
