from textkit.palindrome import is_palindrome


def test_empty_and_single():
    assert is_palindrome("")
    assert is_palindrome("x")


def test_digits_count():
    assert is_palindrome("12 21")
    assert not is_palindrome("123")


def test_mixed_case_near_miss():
    assert not is_palindrome("Abca")
