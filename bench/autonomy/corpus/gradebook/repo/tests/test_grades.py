import pytest

from gradebook.courses import Assignment, Course
from gradebook.grades import (
    category_percentage,
    final_percentage,
    missing_assignments,
    percentage,
)


def make_course() -> Course:
    course = Course("SCI8", "Science 8", {"homework": 0.25, "tests": 0.75})
    course.add_assignment(Assignment("hw1", "homework", 10))
    course.add_assignment(Assignment("hw2", "homework", 20))
    course.add_assignment(Assignment("test 1", "tests", 100))
    return course


def test_percentage_of_points():
    assert percentage(45, 50) == 90.0
    with pytest.raises(ValueError):
        percentage(5, 0)


def test_category_percentage_weighs_assignments_by_their_points():
    scores = {"hw1": 10, "hw2": 5}
    assert category_percentage(make_course(), scores, "homework") == 50.0


def test_an_ungraded_category_has_no_percentage():
    assert category_percentage(make_course(), {"hw1": 10}, "tests") is None


def test_final_percentage_weighs_the_categories():
    scores = {"hw1": 10, "hw2": 20, "test 1": 80}
    assert final_percentage(make_course(), scores) == 85.0


def test_missing_assignments_lists_what_has_no_score():
    assert missing_assignments(make_course(), {"hw2": 15}) == ["hw1", "test 1"]
