"""Discounts."""


def apply_discount(cents: int, percent: float) -> int:
    """`cents` less `percent` %."""
    return round(cents * (100 - percent) / 100)
