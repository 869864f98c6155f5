from gradebook.report import roster_csv, to_csv
from gradebook.students import Roster, Student


def test_a_value_with_a_comma_is_quoted():
    assert to_csv([["s1", "Martin King, Jr.", 11]]) == 's1,"Martin King, Jr.",11\n'


def test_the_roster_keeps_a_name_with_a_comma_in_one_column():
    roster = Roster([Student("s7", "Martin", "King, Jr.", 11)])
    assert roster_csv(roster).splitlines()[1].startswith('s7,"Martin King, Jr.",11')
