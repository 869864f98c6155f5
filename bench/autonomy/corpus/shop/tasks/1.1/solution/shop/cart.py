"""The shopping cart."""


def cart_total(items: list[dict]) -> int:
    """Sum of price times quantity, in cents."""
    return sum(int(item["price_cents"]) * int(item["qty"]) for item in items)
