from gradebook.courses import Assignment, Course
from gradebook.grades import final_percentage


def make_course() -> Course:
    course = Course("BIO9", "Biology 9", {"homework": 0.3, "quizzes": 0.2, "project": 0.5})
    course.add_assignment(Assignment("hw1", "homework", 10))
    course.add_assignment(Assignment("quiz 1", "quizzes", 20))
    course.add_assignment(Assignment("final project", "project", 100))
    return course


def test_a_category_without_grades_does_not_count_as_zero():
    scores = {"hw1": 9, "quiz 1": 16}
    # homework 90% weighs 0.3 and quizzes 80% weigh 0.2: scaled up to 0.6 and 0.4
    assert final_percentage(make_course(), scores) == 86.0


def test_fully_graded_courses_are_unchanged():
    scores = {"hw1": 9, "quiz 1": 16, "final project": 70}
    assert final_percentage(make_course(), scores) == 78.0
