from textkit.stats import word_count


def test_counts_words():
    assert word_count("The quick brown fox") == 4


def test_apostrophes_stay_inside_words():
    assert word_count("Don't panic, it's fine.") == 4


def test_empty():
    assert word_count("") == 0
