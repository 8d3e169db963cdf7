import pytest

from aclbench import ConfigError, TaskSpace
from aclbench.teachers import TEACHERS, make_teacher
from aclbench.teachers.random_teacher import RandomTeacher

SPACE = TaskSpace({"x": (0.0, 1.0)})


def test_a_module_colon_class_teacher_is_built_by_name():
    teacher = make_teacher("aclbench.teachers.random_teacher:RandomTeacher", SPACE, seed=0)
    assert type(teacher) is RandomTeacher


@pytest.mark.parametrize(
    "name", ["math:pi", "collections:OrderedDict", "aclbench.teachers.base:Rollout"]
)
def test_a_module_colon_name_that_is_no_teacher_class_is_a_config_error(name):
    with pytest.raises(ConfigError, match=f"teacher '{name}' is .*not a Teacher subclass"):
        make_teacher(name, SPACE)
    assert name not in TEACHERS.names()
