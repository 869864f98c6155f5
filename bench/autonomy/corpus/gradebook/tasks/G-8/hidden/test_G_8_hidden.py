from gradebook.courses import Assignment, Course
from gradebook.grades import category_percentage, final_percentage


def make_course() -> Course:
    course = Course("CHEM10", "Chemistry 10", {"quizzes": 0.5, "tests": 0.5})
    course.add_assignment(Assignment("quiz 1", "quizzes", 10))
    course.add_assignment(Assignment("quiz 2", "quizzes", 10))
    course.add_assignment(Assignment("bonus quiz", "quizzes", 4, extra_credit=True))
    course.add_assignment(Assignment("test 1", "tests", 100))
    return course


def test_an_ungraded_extra_credit_assignment_changes_nothing():
    scores = {"quiz 1": 7, "quiz 2": 9}
    assert category_percentage(make_course(), scores, "quizzes") == 80.0


def test_extra_credit_raises_the_final_grade():
    scores = {"quiz 1": 7, "quiz 2": 9, "bonus quiz": 4, "test 1": 80}
    # quizzes (7 + 9 + 4) / 20 = 100%, tests 80%
    assert final_percentage(make_course(), scores) == 90.0


def test_zero_on_extra_credit_does_not_hurt():
    scores = {"quiz 1": 7, "quiz 2": 9, "bonus quiz": 0}
    assert category_percentage(make_course(), scores, "quizzes") == 80.0
