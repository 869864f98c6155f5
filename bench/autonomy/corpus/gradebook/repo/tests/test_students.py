import pytest

from gradebook.students import Roster, Student


def test_full_name_is_first_then_last():
    assert Student("s1", "Ada", "Lovelace", 10).full_name == "Ada Lovelace"


def test_roster_refuses_a_duplicate_id():
    roster = Roster([Student("s1", "Ada", "Lovelace", 10)])
    with pytest.raises(ValueError):
        roster.add(Student("s1", "Alan", "Turing", 11))


def test_roster_sorts_by_last_name_then_first_ignoring_case():
    roster = Roster(
        [
            Student("s1", "zoe", "Brown", 9),
            Student("s2", "Ada", "adams", 9),
            Student("s3", "Ann", "Brown", 9),
        ]
    )
    assert [s.student_id for s in roster.sorted_by_name()] == ["s2", "s3", "s1"]


def test_removed_students_are_no_longer_found():
    roster = Roster([Student("s1", "Ada", "Lovelace", 10)])
    roster.remove("s1")
    assert len(roster) == 0
    with pytest.raises(KeyError):
        roster.get("s1")
