from datetime import date

from timetools.business import add_business_days


def test_skips_the_weekend():
    # 2026-12-04 is a Friday.
    assert add_business_days(date(2026, 12, 4), 1) == date(2026, 12, 7)


def test_within_the_week():
    assert add_business_days(date(2026, 12, 1), 2) == date(2026, 12, 3)
