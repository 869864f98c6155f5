from textkit.stats import reading_time


def test_rounds_up():
    assert reading_time("word " * 201) == 2


def test_at_least_one_minute():
    assert reading_time("") == 1


def test_custom_speed():
    assert reading_time("word " * 100, wpm=50) == 2
