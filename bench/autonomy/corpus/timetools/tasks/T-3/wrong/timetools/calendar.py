"""Gregorian calendar basics."""


def is_leap_year(year: int) -> bool:
    """Every fourth year."""
    return year % 4 == 0


def days_in_month(year: int, month: int) -> int:
    """Days in `month` of `year`."""
    return [31, 29 if is_leap_year(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
