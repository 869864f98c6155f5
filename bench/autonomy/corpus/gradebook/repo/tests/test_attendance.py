from datetime import date

import pytest

from gradebook.attendance import AttendanceRecord, attendance_rate, count_status, records_for


def record(student_id: str, day: int, status: str) -> AttendanceRecord:
    return AttendanceRecord(student_id, date(2025, 9, day), status)


def test_unknown_status_is_refused():
    with pytest.raises(ValueError):
        record("s1", 1, "sick")


def test_records_for_one_student_oldest_first():
    records = [record("s1", 3, "present"), record("s2", 1, "absent"), record("s1", 1, "tardy")]
    assert [r.day.day for r in records_for(records, "s1")] == [1, 3]


def test_count_status():
    records = [record("s1", 1, "absent"), record("s1", 2, "present"), record("s1", 3, "absent")]
    assert count_status(records, "absent") == 2


def test_tardy_days_count_as_attended():
    records = [record("s1", 1, "present"), record("s1", 2, "tardy"), record("s1", 3, "absent")]
    assert attendance_rate(records) == 66.7
    assert attendance_rate([]) is None
