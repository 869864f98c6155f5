from datetime import date

from timetools.weeks import iso_week


def test_year_boundaries_use_the_iso_year():
    assert iso_week(date(2024, 12, 30)) == "2025-W01"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"


def test_two_digit_weeks():
    assert iso_week(date(2026, 12, 1)) == "2026-W49"
