"""Teacher algorithms: choose the next training task from the student's feedback.

Importable and testable without any environment or student. Importing this package registers
the built-in teachers; ``TEACHERS.names()`` lists them with those of installed plug-ins.
"""

from aclbench.teachers import (
    accel,
    adr,
    again,
    alp_gmm,
    clutr,
    covar_gmm,
    dump,
    easy_to_hard,
    exp3,
    goal_gan,
    mastering_rate,
    mpts,
    paired,
    plr,
    random_teacher,
    riac,
    sec,
    setter_solver,
    spdl,
    tscl,
    variance,
)
from aclbench.teachers.base import Capabilities, Rollout, Teacher, check_capabilities
from aclbench.teachers.checker import check_teacher
from aclbench.teachers.registry import (
    TEACHERS,
    make_teacher,
    register_teacher,
    teacher_class,
    teacher_params,
)

__all__ = [
    "TEACHERS",
    "Capabilities",
    "Rollout",
    "Teacher",
    "accel",
    "again",
    "adr",
    "alp_gmm",
    "check_capabilities",
    "check_teacher",
    "clutr",
    "covar_gmm",
    "dump",
    "easy_to_hard",
    "exp3",
    "goal_gan",
    "make_teacher",
    "mastering_rate",
    "mpts",
    "paired",
    "plr",
    "random_teacher",
    "register_teacher",
    "riac",
    "sec",
    "spdl",
    "setter_solver",
    "teacher_class",
    "teacher_params",
    "tscl",
    "variance",
]
