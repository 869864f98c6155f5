import pytest

from timetools.calendar import days_in_month, is_leap_year


def test_century_rules():
    assert not is_leap_year(1900)
    assert is_leap_year(2000)


def test_every_month():
    assert [days_in_month(2025, m) for m in range(1, 13)] == [31, 28, 31, 30, 31, 30, 31, 31,
                                                              30, 31, 30, 31]


def test_month_zero():
    with pytest.raises(ValueError):
        days_in_month(2024, 0)
