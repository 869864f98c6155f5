"""Daily attendance: one record per student per school day, and summaries of them."""

from dataclasses import dataclass
from datetime import date

PRESENT = "present"
ABSENT = "absent"
TARDY = "tardy"
EXCUSED = "excused"
STATUSES = (PRESENT, ABSENT, TARDY, EXCUSED)


@dataclass(frozen=True)
class AttendanceRecord:
    """Whether a student was present, absent, tardy or excused on a day."""

    student_id: str
    day: date
    status: str

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown attendance status {self.status!r}")


def records_for(records: list[AttendanceRecord], student_id: str) -> list[AttendanceRecord]:
    """The records of one student, oldest day first."""
    return sorted((r for r in records if r.student_id == student_id), key=lambda r: r.day)


def count_status(records: list[AttendanceRecord], status: str) -> int:
    """How many of `records` have `status`."""
    return sum(1 for r in records if r.status == status)


def attendance_rate(records: list[AttendanceRecord]) -> float | None:
    """The percentage of recorded days a student attended (present or tardy), to one
    decimal; `None` without records."""
    if not records:
        return None
    attended = sum(1 for r in records if r.status in (PRESENT, TARDY))
    return round(100.0 * attended / len(records), 1)
