"""Teachers and expert knowledge: declarations checked when a class is defined, runs with too
little refused, knowledge cut to what a teacher uses, and what ALP-GMM, Covar-GMM and GoalGAN
do with it."""

import numpy as np
import pytest

from aclbench.errors import ConfigError
from aclbench.expert_knowledge import LEVELS, ExpertKnowledge, InitialGaussian, rank
from aclbench.task_space import TaskSpace
from aclbench.teachers import TEACHERS, Teacher, check_teacher, make_teacher, teacher_params
from aclbench.teachers.checker import synthetic_knowledge

SPACE = TaskSpace({"x": (0.0, 1.0), "y": (0.0, 1.0)})
EASY = InitialGaussian.around(SPACE, {"x": 0.05, "y": 0.05})
KNOWLEDGE = ExpertKnowledge.from_mastery(0.75, (0.0, 1.0), initial=EASY)


def test_declarations_are_checked_when_the_class_is_defined():
    with pytest.raises(TypeError, match="must be one of"):

        class Unknown(Teacher):
            expert_knowledge_needed = "some"

            def _sample_task(self):
                return self.task_space.sample(self.rng)

    with pytest.raises(TypeError, match="needs expert knowledge 'high' but uses only 'low'"):

        class NeedsMore(Teacher):
            expert_knowledge_needed = "high"
            expert_knowledge_used = "low"

            def _sample_task(self):
                return self.task_space.sample(self.rng)

    with pytest.raises(TypeError, match="must take the keyword argument expert_knowledge"):

        class Deaf(Teacher):
            expert_knowledge_used = "high"

            def _sample_task(self):
                return self.task_space.sample(self.rng)


class Listener(Teacher):
    expert_knowledge_used = "low"

    def __init__(self, task_space, *, seed=None, expert_knowledge=None):
        super().__init__(task_space, seed=seed)
        self.told = expert_knowledge

    def _sample_task(self):
        return self.task_space.sample(self.rng)


def test_knowledge_is_cut_to_what_the_teacher_uses_and_hidden_from_others(monkeypatch):
    monkeypatch.setitem(TEACHERS._entries, "listener", Listener)
    told = make_teacher("listener", SPACE, seed=0, expert_knowledge=KNOWLEDGE).told
    assert told.level == "low" and told.initial is None and told.mastery_threshold == 0.75
    assert make_teacher("listener", SPACE, seed=0).told is None  # no run: nothing told
    make_teacher("random", SPACE, seed=0, expert_knowledge=KNOWLEDGE)  # never sees it


@pytest.mark.parametrize("name", TEACHERS.names())
def test_every_teacher_is_refused_below_what_it_needs_and_built_from_it(name):
    cls = TEACHERS.get(name)
    needed = cls.expert_knowledge_needed
    for level in LEVELS:
        knowledge = synthetic_knowledge(SPACE, "high").at(level)
        if rank(level) < rank(needed):
            with pytest.raises(ConfigError, match=f"teacher '{name}' needs expert_knowledge"):
                make_teacher(name, SPACE, seed=0, expert_knowledge=knowledge)
        else:
            make_teacher(name, SPACE, seed=0, expert_knowledge=knowledge)


def test_needs_of_the_teachers_that_cannot_run_without_knowledge():
    assert TEACHERS.get("goal-gan").expert_knowledge_needed == "low"
    assert TEACHERS.get("setter-solver").expert_knowledge_needed == "low"
    assert TEACHERS.get("random").expert_knowledge_needed == "none"


@pytest.mark.parametrize("name", ["alp-gmm", "covar-gmm"])
def test_mixture_teachers_bootstrap_on_easy_tasks_at_high_only(name):
    def tasks(knowledge):
        teacher = make_teacher(name, SPACE, seed=3, fit_rate=50, expert_knowledge=knowledge)
        played = []
        for _ in range(80):
            task = teacher.sample_task()
            teacher.update(task, float(task.sum() < 0.3))
            played.append(task)
        return np.array(played)

    high, low, none = tasks(KNOWLEDGE), tasks(KNOWLEDGE.at("low")), tasks(None)
    np.testing.assert_array_equal(low, none)  # "low" changes nothing for them
    assert np.all(high[:50] < 0.5) and high[:50].mean() < 0.12  # bootstrap: N(0.05, 0.1)
    assert none[:50].mean() == pytest.approx(0.5, abs=0.1)  # uniform bootstrap


def test_goal_gan_reads_its_band_on_the_envs_return_range_unless_given_one():
    knowledge = ExpertKnowledge.from_mastery(230.0, (-150.0, 350.0), (0.0, 180.0))
    teacher = make_teacher("goal-gan", SPACE, seed=0, expert_knowledge=knowledge.at("low"))
    assert teacher_params(teacher, {})["return_bounds"] == (-150.0, 350.0)
    given = make_teacher(
        "goal-gan", SPACE, seed=0, return_bounds=(0.0, 10.0), expert_knowledge=knowledge
    )
    assert given.scale_return.bounds == (0.0, 10.0)
    assert make_teacher("goal-gan", SPACE, seed=0).scale_return.bounds == (0.0, 1.0)


def test_goal_gan_is_pretrained_on_the_initial_distribution_at_high():
    high = make_teacher("goal-gan", SPACE, seed=0, p_old=0.0, expert_knowledge=KNOWLEDGE)
    low = make_teacher("goal-gan", SPACE, seed=0, p_old=0.0, expert_knowledge=KNOWLEDGE.at("low"))
    assert not high.pretrained  # pretrained at the first proposal, not when built
    first_high = np.array([high.sample_task() for _ in range(100)])
    first_low = np.array([low.sample_task() for _ in range(100)])
    assert high.pretrained and high.inner_state()["pretrained"]
    assert first_high.mean() < 0.25 < first_low.mean()  # near N(0.05, 0.1), vs uniform


def test_goal_gan_at_high_passes_check_teacher():
    check_teacher(
        TEACHERS.get("goal-gan"),
        SPACE,
        episodes=120,
        update_size=20,
        gan_iterations=5,
        expert_knowledge=synthetic_knowledge(SPACE, "high"),
    )
