import pytest

from gradebook.courses import Assignment, Course
from gradebook.grades import category_percentage


def make_course() -> Course:
    course = Course("HIST7", "History 7", {"quizzes": 0.4, "tests": 0.6})
    course.add_assignment(Assignment("quiz 1", "quizzes", 10))
    course.add_assignment(Assignment("quiz 2", "quizzes", 10))
    course.add_assignment(Assignment("quiz 3", "quizzes", 20))
    course.add_assignment(Assignment("quiz 4", "quizzes", 50))
    return course


def test_the_lowest_is_judged_by_percentage_not_points():
    # quiz 3 loses the most points (10 of 20) but quiz 1 has the lowest percentage (40%)
    scores = {"quiz 1": 4, "quiz 2": 9, "quiz 3": 10}
    result = category_percentage(make_course(), scores, "quizzes", drop_lowest=1)
    assert result == pytest.approx(100 * 19 / 30)


def test_ungraded_assignments_are_not_what_gets_dropped():
    scores = {"quiz 1": 6, "quiz 2": 10}
    assert category_percentage(make_course(), scores, "quizzes", drop_lowest=1) == 100.0


def test_dropping_more_than_was_graded_keeps_the_best_one():
    scores = {"quiz 1": 6, "quiz 2": 8, "quiz 3": 10}
    assert category_percentage(make_course(), scores, "quizzes", drop_lowest=5) == 80.0


def test_an_ungraded_category_still_has_no_percentage():
    assert category_percentage(make_course(), {}, "quizzes", drop_lowest=2) is None
