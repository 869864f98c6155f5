from gradebook.report import roster_csv
from gradebook.students import Roster, Student


def test_the_email_is_optional_and_empty_by_default():
    assert Student("s2", "Alan", "Turing", 11).email == ""


def test_a_student_without_email_gets_an_empty_cell():
    roster = Roster(
        [Student("s2", "Alan", "Turing", 11), Student("s1", "Ada", "Lovelace", 10, "a@x.org")]
    )
    assert roster_csv(roster) == (
        "id,name,grade_level,email\ns1,Ada Lovelace,10,a@x.org\ns2,Alan Turing,11,\n"
    )
