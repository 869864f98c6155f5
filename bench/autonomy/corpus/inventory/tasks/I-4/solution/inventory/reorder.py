"""When to reorder an item and how much to order."""

from collections.abc import Iterable, Mapping

from inventory.models import Item


def needs_reorder(item: Item, level: int) -> bool:
    """Whether the stock level of `item` has fallen to its reorder point (or below)."""
    return level <= item.reorder_point


def reorder_quantity(item: Item, level: int) -> int:
    """Units to order to bring the stock of `item` back up to its target level.

    0 when no order is due.
    """
    if not needs_reorder(item, level):
        return 0
    return max(item.target_level - level, 0)


def reorder_list(items: Iterable[Item], levels: Mapping[str, int]) -> list[tuple[str, int]]:
    """`(sku, quantity)` for every item to order now, by SKU. A missing level counts as 0."""
    orders = []
    for item in sorted(items, key=lambda item: item.sku):
        quantity = reorder_quantity(item, levels.get(item.sku, 0))
        if quantity > 0:
            orders.append((item.sku, quantity))
    return orders
