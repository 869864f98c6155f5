from textkit.palindrome import is_palindrome


def test_simple():
    assert is_palindrome("racecar")
    assert not is_palindrome("blog")


def test_ignores_case_spaces_and_punctuation():
    assert is_palindrome("A man, a plan, a canal: Panama!")
