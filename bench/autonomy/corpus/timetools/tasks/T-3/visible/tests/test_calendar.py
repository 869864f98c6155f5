import pytest

from timetools.calendar import days_in_month, is_leap_year


def test_leap_years():
    assert is_leap_year(2024)
    assert not is_leap_year(2023)


def test_february():
    assert days_in_month(2024, 2) == 29
    assert days_in_month(2023, 2) == 28


def test_bad_month():
    with pytest.raises(ValueError):
        days_in_month(2024, 13)
