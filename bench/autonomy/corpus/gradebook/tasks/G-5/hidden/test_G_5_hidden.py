from datetime import date

from gradebook.attendance import AttendanceRecord, attendance_rate


def record(day: int, status: str) -> AttendanceRecord:
    return AttendanceRecord("s1", date(2025, 10, day), status)


def test_excused_days_are_left_out_not_counted_as_present():
    records = [record(1, "present"), record(2, "tardy"), record(3, "absent"), record(6, "excused")]
    assert attendance_rate(records) == 66.7


def test_a_student_excused_every_day_has_no_rate():
    assert attendance_rate([record(1, "excused"), record(2, "excused")]) is None


def test_without_excused_days_nothing_changes():
    records = [record(1, "present"), record(2, "absent"), record(3, "absent"), record(6, "tardy")]
    assert attendance_rate(records) == 50.0
