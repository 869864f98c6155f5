from gradebook.courses import Assignment, Course
from gradebook.grades import category_percentage


def make_course() -> Course:
    course = Course("HIST7", "History 7", {"quizzes": 0.4, "tests": 0.6})
    course.add_assignment(Assignment("quiz 1", "quizzes", 10))
    course.add_assignment(Assignment("quiz 2", "quizzes", 10))
    course.add_assignment(Assignment("quiz 3", "quizzes", 20))
    return course


def test_dropping_the_lowest_quiz():
    scores = {"quiz 1": 5, "quiz 2": 9, "quiz 3": 18}
    assert category_percentage(make_course(), scores, "quizzes", drop_lowest=1) == 90.0


def test_nothing_is_dropped_by_default():
    scores = {"quiz 1": 5, "quiz 2": 9, "quiz 3": 18}
    assert category_percentage(make_course(), scores, "quizzes") == 80.0
