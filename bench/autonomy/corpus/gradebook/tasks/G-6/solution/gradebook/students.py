"""Students and the class roster."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Student:
    """A student enrolled at the school; `email` is empty when we don't know it."""

    student_id: str
    first_name: str
    last_name: str
    grade_level: int
    email: str = ""

    @property
    def full_name(self) -> str:
        """First and last name, as printed on reports."""
        return f"{self.first_name} {self.last_name}"


class Roster:
    """The students of one class, looked up by their id."""

    def __init__(self, students: Iterable[Student] = ()) -> None:
        self._students: dict[str, Student] = {}
        for student in students:
            self.add(student)

    def add(self, student: Student) -> None:
        """Enrol `student`; an id that is already on the roster raises `ValueError`."""
        if student.student_id in self._students:
            raise ValueError(f"student {student.student_id} is already on the roster")
        self._students[student.student_id] = student

    def remove(self, student_id: str) -> Student:
        """Take a student off the roster and return them; `KeyError` if not enrolled."""
        return self._students.pop(student_id)

    def get(self, student_id: str) -> Student:
        """The student with this id; `KeyError` if not enrolled."""
        return self._students[student_id]

    def sorted_by_name(self) -> list[Student]:
        """Students ordered by last name, then first name, ignoring case."""
        return sorted(
            self._students.values(),
            key=lambda s: (s.last_name.casefold(), s.first_name.casefold()),
        )

    def __len__(self) -> int:
        return len(self._students)

    def __iter__(self) -> Iterator[Student]:
        return iter(self._students.values())
