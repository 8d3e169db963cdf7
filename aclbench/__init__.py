"""aclbench: a benchmark suite for Automatic Curriculum Learning in deep RL.

This package holds what every other package shares: the task space, typed errors and the
name registry. Teachers live in ``teachers``, environments in ``envs``, learners in
``students`` and the harness (runner, suites, reports, command line) in ``benchmarks``.
"""

from aclbench.errors import (
    ACLBenchError,
    ConfigError,
    InvalidReturnError,
    InvalidTaskError,
    UnknownNameError,
)
from aclbench.task_space import Dimension, Task, TaskSpace

__version__ = "0.1.0"

__all__ = [
    "ACLBenchError",
    "ConfigError",
    "Dimension",
    "InvalidReturnError",
    "InvalidTaskError",
    "Task",
    "TaskSpace",
    "UnknownNameError",
    "__version__",
]
