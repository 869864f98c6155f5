"""Palindromes, ignoring case, spaces and punctuation."""


def is_palindrome(text: str) -> bool:
    """True when the letters and digits of `text` read the same both ways."""
    chars = [c.lower() for c in text if c.isalnum()]
    return chars == chars[::-1]
