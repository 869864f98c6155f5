from datetime import date

from gradebook.attendance import AttendanceRecord, chronic_absentees


def week(student_id: str, statuses: str) -> list[AttendanceRecord]:
    names = {"P": "present", "A": "absent", "T": "tardy"}
    return [
        AttendanceRecord(student_id, date(2025, 11, 3 + i), names[s])
        for i, s in enumerate(statuses)
    ]


def test_students_below_ninety_percent_are_listed_in_order():
    records = week("s3", "PAPAP") + week("s1", "PPPPP") + week("s2", "AAPPP")
    assert chronic_absentees(records) == ["s2", "s3"]


def test_the_threshold_can_be_lowered():
    records = week("s3", "PAPAP") + week("s1", "PPPPT") + week("s2", "AAAPP")
    assert chronic_absentees(records, threshold=50.0) == ["s2"]
