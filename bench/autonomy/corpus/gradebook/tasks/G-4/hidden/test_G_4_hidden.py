import csv
import io

from gradebook.courses import Assignment, Course
from gradebook.report import grades_csv, to_csv
from gradebook.students import Roster, Student


def test_quotes_inside_a_value_are_doubled():
    assert to_csv([['Dwayne "The Rock"', 1]]) == '"Dwayne ""The Rock""",1\n'


def test_a_line_break_inside_a_value_stays_in_one_cell():
    text = to_csv([["note", "late\nresubmitted"], ["next", 2]])
    assert list(csv.reader(io.StringIO(text))) == [["note", "late\nresubmitted"], ["next", "2"]]


def test_plain_values_are_not_quoted():
    assert to_csv([["a", 1, 2.5, ""]]) == "a,1,2.5,\n"


def test_the_grades_export_reads_back_with_one_column_per_value():
    course = Course("ENG9", "English 9", {"essays": 1.0})
    course.add_assignment(Assignment("essay 1, draft", "essays", 10))
    roster = Roster([Student("s1", "Ana", "Lima, Neto", 9)])
    text = grades_csv(course, roster, {"s1": {"essay 1, draft": 9.5}})
    assert list(csv.reader(io.StringIO(text))) == [
        ["id", "name", "essay 1, draft", "final", "letter"],
        ["s1", "Ana Lima, Neto", "9.5", "95.0", "A"],
    ]
