"""Plain-text exports: CSV for spreadsheets and a printable report card."""

from gradebook.courses import Course
from gradebook.grades import Scores, category_percentage, final_percentage
from gradebook.letters import letter_grade
from gradebook.students import Roster, Student


def to_csv(rows: list[list[object]]) -> str:
    """`rows` as CSV text: comma-separated values, one line per row, each ending in a newline."""
    return "".join(",".join(str(value) for value in row) + "\n" for row in rows)


def roster_csv(roster: Roster) -> str:
    """The roster as CSV, a header line then one student per line, ordered by name."""
    rows: list[list[object]] = [["id", "name", "grade_level"]]
    for student in roster.sorted_by_name():
        rows.append([student.student_id, student.full_name, student.grade_level])
    return to_csv(rows)


def grades_csv(course: Course, roster: Roster, scores: dict[str, Scores]) -> str:
    """Every student's points per assignment (empty when not graded), final percentage and
    letter. `scores` maps student ids to their scores."""
    rows: list[list[object]] = [
        ["id", "name", *(a.name for a in course.assignments), "final", "letter"]
    ]
    for student in roster.sorted_by_name():
        own = scores.get(student.student_id, {})
        points = [own.get(a.name, "") for a in course.assignments]
        final = final_percentage(course, own)
        rows.append([student.student_id, student.full_name, *points, final, letter_grade(final)])
    return to_csv(rows)


def report_card(student: Student, course: Course, scores: Scores) -> str:
    """A printable report card of one student in one course."""
    lines = [
        f"Report card: {student.full_name} ({student.student_id})",
        f"Course: {course.code} {course.title}",
    ]
    for category, weight in course.weights.items():
        result = category_percentage(course, scores, category)
        shown = "no grades yet" if result is None else f"{result:.1f}%"
        lines.append(f"  {category} ({weight:.0%}): {shown}")
    final = final_percentage(course, scores)
    lines.append(f"Final: {final:.1f}% ({letter_grade(final)})")
    return "\n".join(lines) + "\n"
