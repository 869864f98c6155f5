from gradebook.courses import Assignment, Course
from gradebook.report import report_card
from gradebook.students import Student


def make_card(course: Course) -> str:
    course.add_assignment(Assignment("collage", "projects", 20))
    return report_card(Student("s1", "Frida", "Kahlo", 6), course, {"collage": 19})


def test_a_course_without_a_teacher_prints_no_teacher_line():
    card = make_card(Course("ART6", "Art 6", {"projects": 1.0}))
    assert "Teacher" not in card
    assert card.splitlines()[2] == "  projects (100%): 95.0%"


def test_the_teacher_is_kept_on_the_course():
    course = Course("ART6", "Art 6", {"projects": 1.0}, teacher="Mr. Okafor")
    assert course.teacher == "Mr. Okafor"
    assert make_card(course).splitlines()[:3] == [
        "Report card: Frida Kahlo (s1)",
        "Course: ART6 Art 6",
        "Teacher: Mr. Okafor",
    ]
