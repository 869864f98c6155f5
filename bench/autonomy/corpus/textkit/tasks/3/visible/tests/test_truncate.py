import pytest

from textkit.excerpt import truncate


def test_short_text_is_unchanged():
    assert truncate("Hello", 10) == "Hello"


def test_cuts_at_a_word_boundary():
    assert truncate("The quick brown fox", 12) == "The quick…"


def test_invalid_limit():
    with pytest.raises(ValueError):
        truncate("x", 0)
