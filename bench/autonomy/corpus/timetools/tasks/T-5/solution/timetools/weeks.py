"""ISO weeks."""

from datetime import date


def iso_week(day: date) -> str:
    """`2026-W05`: the ISO year and week of `day`."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"
