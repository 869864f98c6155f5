from datetime import date

from gradebook.attendance import AttendanceRecord, attendance_rate


def record(day: int, status: str) -> AttendanceRecord:
    return AttendanceRecord("s1", date(2025, 10, day), status)


def test_an_excused_day_does_not_lower_the_rate():
    records = [record(1, "present"), record(2, "present"), record(3, "excused")]
    assert attendance_rate(records) == 100.0


def test_unexcused_absences_still_count():
    records = [record(1, "present"), record(2, "absent"), record(3, "excused")]
    assert attendance_rate(records) == 50.0
