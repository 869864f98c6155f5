from gradebook.letters import letter_grade


def test_exactly_ninety_is_an_a():
    assert letter_grade(90) == "A"


def test_exactly_eighty_is_a_b():
    assert letter_grade(80.0) == "B"


def test_just_below_a_cutoff_keeps_the_lower_letter():
    assert letter_grade(89.99) == "B"
