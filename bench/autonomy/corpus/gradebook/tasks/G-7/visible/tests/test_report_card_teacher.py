from gradebook.courses import Assignment, Course
from gradebook.report import report_card
from gradebook.students import Student


def test_the_report_card_names_the_teacher_after_the_course():
    course = Course("ART6", "Art 6", {"projects": 1.0}, teacher="Ms. Rivera")
    course.add_assignment(Assignment("collage", "projects", 20))
    lines = report_card(Student("s1", "Frida", "Kahlo", 6), course, {"collage": 19}).splitlines()
    course_line = lines.index("Course: ART6 Art 6")
    assert lines[course_line + 1] == "Teacher: Ms. Rivera"
