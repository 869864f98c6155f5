from textkit.titles import title_case


def test_small_words_stay_lowercase():
    assert title_case("the lord of the rings") == "The Lord of the Rings"


def test_first_and_last_words_are_capitalised():
    assert title_case("a tale of two cities to") == "A Tale of Two Cities To"
