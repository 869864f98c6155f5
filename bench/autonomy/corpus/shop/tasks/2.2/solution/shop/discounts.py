"""Discounts."""

TIERS = [(25000, 15), (10000, 10), (5000, 5)]


def tier_discount(total_cents: int) -> int:
    """The discount percent a cart total earns."""
    for threshold, percent in TIERS:
        if total_cents >= threshold:
            return percent
    return 0
