"""Reports over items."""


def by_category(items: list[dict]) -> dict[str, int]:
    """Total cents per category, sorted by category name."""
    totals: dict[str, int] = {}
    for item in items:
        totals[item["category"]] = totals.get(item["category"], 0) + item["price_cents"] * item["qty"]
    return dict(sorted(totals.items()))
