"""aclbench: a benchmark suite for Automatic Curriculum Learning in deep RL.

``import aclbench`` is all a user needs: it registers the Gymnasium ids (``aclbench/...``) and
offers the public surface below. The layers live in subpackages, each in its own top-level
folder of the repository, and depend one way:

- ``aclbench`` core (``task_space``, ``errors``, ``registry``, ``task_graph``): what every
  layer shares;
- ``aclbench.teachers`` and ``aclbench.envs``: curriculum algorithms and parameterized
  environments, independent of each other;
- ``aclbench.students``: learners (Stable-Baselines3, simulated) wired to a teacher;
- ``aclbench.harness``: suites, runner, executors, results store, reports, command line.

A curriculum in any training loop: :class:`Curriculum` keeps the teacher in the main process
and builds the envs (:class:`CurriculumEnv`) that play its tasks in any vectorized env; SB3's
one-line callback is ``aclbench.students.callback.CurriculumCallback``. Importing this package
imports neither torch nor Stable-Baselines3.
"""

from aclbench import envs, teachers
from aclbench.envs import ENVS, TaskEnv, make_env, register_env
from aclbench.envs.curriculum import Curriculum, CurriculumEnv
from aclbench.errors import (
    ACLBenchError,
    ConfigError,
    CurriculumError,
    InvalidReturnError,
    InvalidTaskError,
    TeacherCopyWarning,
    UnknownNameError,
)
from aclbench.task_space import Dimension, Task, TaskSpace
from aclbench.teachers import (
    TEACHERS,
    Capabilities,
    Rollout,
    Teacher,
    check_teacher,
    make_teacher,
    register_teacher,
)

__version__ = "0.1.0"

__all__ = [
    "ENVS",
    "TEACHERS",
    "ACLBenchError",
    "Capabilities",
    "ConfigError",
    "Curriculum",
    "CurriculumEnv",
    "CurriculumError",
    "Dimension",
    "InvalidReturnError",
    "InvalidTaskError",
    "Rollout",
    "Task",
    "TaskEnv",
    "TaskSpace",
    "Teacher",
    "TeacherCopyWarning",
    "UnknownNameError",
    "__version__",
    "check_teacher",
    "envs",
    "make_env",
    "make_teacher",
    "register_env",
    "register_teacher",
    "teachers",
]
