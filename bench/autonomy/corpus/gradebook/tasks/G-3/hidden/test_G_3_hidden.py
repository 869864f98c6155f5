from gradebook.courses import Assignment, Course
from gradebook.grades import final_percentage
from gradebook.report import report_card
from gradebook.students import Student


def make_course() -> Course:
    course = Course("BIO9", "Biology 9", {"homework": 0.25, "labs": 0.25, "tests": 0.5})
    course.add_assignment(Assignment("hw1", "homework", 10))
    course.add_assignment(Assignment("lab 1", "labs", 10))
    course.add_assignment(Assignment("test 1", "tests", 50))
    return course


def test_one_graded_category_is_the_whole_grade():
    assert final_percentage(make_course(), {"test 1": 41}) == 82.0


def test_the_remaining_weights_keep_their_proportions():
    # homework 100% at 0.25 and tests 70% at 0.5 → (25 + 35) / 0.75
    assert final_percentage(make_course(), {"hw1": 10, "test 1": 35}) == 80.0


def test_the_report_card_shows_the_scaled_grade():
    card = report_card(Student("s1", "Rosa", "Parks", 9), make_course(), {"lab 1": 9.5})
    assert "Final: 95.0% (A)" in card
