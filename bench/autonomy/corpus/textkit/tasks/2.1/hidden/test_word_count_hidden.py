from textkit.stats import word_count


def test_hyphen_splits():
    assert word_count("e-mail me") == 3


def test_digits_and_whitespace():
    assert word_count("  version 2 of\n\tthe   API ") == 5


def test_punctuation_only():
    assert word_count("... --- !!!") == 0
