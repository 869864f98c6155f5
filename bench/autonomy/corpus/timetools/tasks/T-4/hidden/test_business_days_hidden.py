from datetime import date

from timetools.business import add_business_days


def test_backwards_over_a_weekend():
    assert add_business_days(date(2026, 12, 7), -1) == date(2026, 12, 4)


def test_from_a_weekend():
    assert add_business_days(date(2026, 12, 5), 1) == date(2026, 12, 7)
    assert add_business_days(date(2026, 12, 6), -1) == date(2026, 12, 4)


def test_zero_and_many():
    assert add_business_days(date(2026, 12, 2), 0) == date(2026, 12, 2)
    assert add_business_days(date(2026, 12, 1), 10) == date(2026, 12, 15)
