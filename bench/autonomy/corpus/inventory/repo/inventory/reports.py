"""Reports for the warehouse office: what the stock is worth and what is running low."""

from collections.abc import Iterable, Mapping

from inventory.models import Item
from inventory.reorder import needs_reorder


def format_cents(cents: int) -> str:
    """An amount for people to read: `123456` → `"1,234.56"`, `-5` → `"-0.05"`."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{rest:02d}"


def stock_value_cents(items: Iterable[Item], levels: Mapping[str, int]) -> int:
    """What the stock is worth at unit cost, in cents. A missing level counts as 0."""
    return sum(item.unit_cost_cents * levels.get(item.sku, 0) for item in items)


def low_stock_report(items: Iterable[Item], levels: Mapping[str, int]) -> list[str]:
    """One line per item due for reorder, by SKU.

    For example `KIT-0042 Mug: 3 on hand, reorder point 5`.
    """
    lines = []
    for item in sorted(items, key=lambda item: item.sku):
        level = levels.get(item.sku, 0)
        if needs_reorder(item, level):
            status = f"{level} on hand, reorder point {item.reorder_point}"
            lines.append(f"{item.sku} {item.name}: {status}")
    return lines
