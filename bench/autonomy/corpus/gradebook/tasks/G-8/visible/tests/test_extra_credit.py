from gradebook.courses import Assignment, Course
from gradebook.grades import category_percentage


def make_course() -> Course:
    course = Course("CHEM10", "Chemistry 10", {"quizzes": 0.5, "tests": 0.5})
    course.add_assignment(Assignment("quiz 1", "quizzes", 10))
    course.add_assignment(Assignment("bonus quiz", "quizzes", 5, extra_credit=True))
    return course


def test_extra_credit_points_count_but_not_its_points_possible():
    scores = {"quiz 1": 8, "bonus quiz": 3}
    assert category_percentage(make_course(), scores, "quizzes") == 110.0


def test_assignments_are_not_extra_credit_unless_marked():
    assert Assignment("quiz 2", "quizzes", 10).extra_credit is False
