from gradebook.letters import grade_distribution


def test_an_empty_class_has_every_letter_at_zero():
    assert grade_distribution([]) == {"A": 0, "B": 0, "C": 0, "D": 0, "F": 0}


def test_letters_come_in_order_from_a_to_f():
    assert list(grade_distribution([12, 65.5, 99])) == ["A", "B", "C", "D", "F"]


def test_the_counts_add_up_to_the_class_size():
    percentages = [55, 66, 77, 88, 99, 100, 3, 71.5]
    result = grade_distribution(percentages)
    assert sum(result.values()) == len(percentages)
    assert result["F"] == 2
    assert result["C"] == 2
