from textkit.stats import reading_time


def test_exactly_one_minute():
    assert reading_time("word " * 200) == 1


def test_words_like_word_count():
    assert reading_time("don't " * 150 + "e-mail " * 30, wpm=100) == 3
