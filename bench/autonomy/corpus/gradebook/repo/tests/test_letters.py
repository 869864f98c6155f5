import pytest

from gradebook.letters import gpa, grade_points, letter_grade


def test_letter_grades_on_the_school_scale():
    assert letter_grade(97.5) == "A"
    assert letter_grade(85) == "B"
    assert letter_grade(74.2) == "C"
    assert letter_grade(65) == "D"
    assert letter_grade(12) == "F"


def test_grade_points_accept_lower_case_letters():
    assert grade_points("b") == 3.0
    with pytest.raises(ValueError):
        grade_points("E")


def test_gpa_is_the_mean_of_grade_points():
    assert gpa(["A", "B", "B"]) == 3.33
    assert gpa([]) is None
