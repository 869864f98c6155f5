from gradebook.letters import letter_grade


def test_every_cutoff_gets_the_higher_letter():
    assert [letter_grade(p) for p in (90, 80, 70, 60)] == ["A", "B", "C", "D"]


def test_below_sixty_is_still_an_f():
    assert letter_grade(59.99) == "F"
    assert letter_grade(0) == "F"


def test_perfect_and_bonus_scores_are_an_a():
    assert letter_grade(100) == "A"
    assert letter_grade(104.5) == "A"
