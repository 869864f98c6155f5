"""Discounts."""

from decimal import ROUND_HALF_UP, Decimal


def apply_discount(cents: int, percent: float) -> int:
    """`cents` less `percent` %, rounded half up to whole cents."""
    if not 0 <= percent <= 100:
        raise ValueError(f"percent must be within 0-100, not {percent}")
    value = Decimal(cents) * (Decimal(100) - Decimal(str(percent))) / Decimal(100)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
