"""Business days (Monday to Friday)."""

from datetime import date, timedelta


def add_business_days(day: date, n: int) -> date:
    """`day` moved by `n` business days (backwards when `n` is negative)."""
    step = timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if day.weekday() < 5:
            remaining -= 1
    return day
