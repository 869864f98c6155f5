from gradebook.report import roster_csv
from gradebook.students import Roster, Student


def test_a_student_can_have_an_email():
    student = Student("s1", "Ada", "Lovelace", 10, email="ada@school.example")
    assert student.email == "ada@school.example"


def test_the_roster_export_has_an_email_column():
    roster = Roster([Student("s1", "Ada", "Lovelace", 10, email="ada@school.example")])
    assert roster_csv(roster).splitlines() == [
        "id,name,grade_level,email",
        "s1,Ada Lovelace,10,ada@school.example",
    ]
