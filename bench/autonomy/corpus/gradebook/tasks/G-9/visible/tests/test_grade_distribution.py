from gradebook.letters import grade_distribution


def test_counts_each_letter_of_a_class():
    counts = grade_distribution([95, 85, 87.5, 72, 40, 91])
    assert counts == {"A": 2, "B": 2, "C": 1, "D": 0, "F": 1}
