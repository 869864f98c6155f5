from datetime import date

from gradebook.attendance import AttendanceRecord, chronic_absentees


def week(student_id: str, statuses: str) -> list[AttendanceRecord]:
    names = {"P": "present", "A": "absent", "T": "tardy"}
    return [
        AttendanceRecord(student_id, date(2025, 11, 3 + i), names[s])
        for i, s in enumerate(statuses)
    ]


def test_exactly_at_the_threshold_is_not_chronic():
    records = week("s1", "PPPPPPPPPA") + week("s2", "PPPPPPPPAA")
    assert chronic_absentees(records) == ["s2"]


def test_records_may_come_in_any_order():
    records = week("b", "PAAPP") + week("a", "PPPPP") + week("c", "AAAAA")
    records.reverse()
    assert chronic_absentees(records) == ["b", "c"]


def test_no_records_no_absentees():
    assert chronic_absentees([]) == []
