import pytest

from gradebook.courses import Assignment, Course


def make_course() -> Course:
    return Course("MATH7", "Math 7", {"homework": 0.4, "tests": 0.6})


def test_weights_must_add_up_to_one():
    with pytest.raises(ValueError):
        Course("MATH7", "Math 7", {"homework": 0.4, "tests": 0.5})


def test_assignments_are_found_by_name_and_category():
    course = make_course()
    course.add_assignment(Assignment("hw1", "homework", 10))
    course.add_assignment(Assignment("unit test 1", "tests", 50))
    course.add_assignment(Assignment("hw2", "homework", 10))
    assert course.assignment("unit test 1").max_points == 50
    assert [a.name for a in course.in_category("homework")] == ["hw1", "hw2"]


def test_an_assignment_needs_a_known_category():
    with pytest.raises(ValueError):
        make_course().add_assignment(Assignment("lab 1", "labs", 20))


def test_an_assignment_must_be_worth_points():
    with pytest.raises(ValueError):
        Assignment("hw0", "homework", 0)
