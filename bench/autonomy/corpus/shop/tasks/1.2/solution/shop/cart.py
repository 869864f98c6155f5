"""The shopping cart."""


def cheapest(items: list[dict]) -> dict | None:
    """The item with the lowest unit price (the first of equals); None for no items."""
    best = None
    for item in items:
        if best is None or item["price_cents"] < best["price_cents"]:
            best = item
    return best
