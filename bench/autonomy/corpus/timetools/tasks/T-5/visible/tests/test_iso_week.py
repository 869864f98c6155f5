from datetime import date

from timetools.weeks import iso_week


def test_format():
    assert iso_week(date(2026, 1, 29)) == "2026-W05"
