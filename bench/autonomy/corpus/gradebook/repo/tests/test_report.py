from gradebook.courses import Assignment, Course
from gradebook.report import grades_csv, report_card, roster_csv, to_csv
from gradebook.students import Roster, Student


def make_course() -> Course:
    course = Course("ENG9", "English 9", {"essays": 0.5, "quizzes": 0.5})
    course.add_assignment(Assignment("essay 1", "essays", 40))
    course.add_assignment(Assignment("quiz 1", "quizzes", 10))
    return course


def make_roster() -> Roster:
    return Roster([Student("s2", "Grace", "Hopper", 9), Student("s1", "Alan", "Turing", 9)])


def test_to_csv_writes_one_line_per_row():
    assert to_csv([["a", 1], ["b", 2.5]]) == "a,1\nb,2.5\n"


def test_roster_csv_lists_students_by_name_after_a_header():
    lines = roster_csv(make_roster()).splitlines()
    assert lines[0].startswith("id,name,grade_level")
    assert lines[1].startswith("s2,Grace Hopper,9")
    assert lines[2].startswith("s1,Alan Turing,9")


def test_grades_csv_leaves_ungraded_assignments_empty():
    scores = {"s1": {"essay 1": 36, "quiz 1": 8}, "s2": {"essay 1": 30}}
    lines = grades_csv(make_course(), make_roster(), scores).splitlines()
    assert lines[0] == "id,name,essay 1,quiz 1,final,letter"
    assert lines[2] == "s1,Alan Turing,36,8,85.0,B"
    assert lines[1].startswith("s2,Grace Hopper,30,,")


def test_report_card_shows_categories_and_final_grade():
    student = Student("s1", "Alan", "Turing", 9)
    card = report_card(student, make_course(), {"essay 1": 38, "quiz 1": 9})
    assert "Report card: Alan Turing (s1)" in card
    assert "Course: ENG9 English 9" in card
    assert "  essays (50%): 95.0%" in card
    assert "Final: 92.5% (A)" in card
