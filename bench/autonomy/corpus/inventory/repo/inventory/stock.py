"""Stock levels per SKU, kept up to date from movements."""

from collections.abc import Iterable

from inventory.models import Movement


class StockError(Exception):
    """A stock operation that cannot be carried out."""


def _check_positive(quantity: int) -> None:
    if quantity <= 0:
        raise ValueError(f"quantity must be positive, got {quantity}")


class Stock:
    """On-hand quantities per SKU. A SKU that was never booked has level 0."""

    def __init__(self, levels: dict[str, int] | None = None) -> None:
        self._levels: dict[str, int] = dict(levels or {})

    def level(self, sku: str) -> int:
        """Units of `sku` on hand."""
        return self._levels.get(sku, 0)

    def levels(self) -> dict[str, int]:
        """A copy of every level, by SKU."""
        return dict(sorted(self._levels.items()))

    def receive(self, sku: str, quantity: int) -> None:
        """Book `quantity` units of `sku` that arrived from a supplier."""
        _check_positive(quantity)
        self._levels[sku] = self.level(sku) + quantity

    def ship(self, sku: str, quantity: int) -> None:
        """Book `quantity` units of `sku` that left for a customer."""
        _check_positive(quantity)
        self._levels[sku] = self.level(sku) - quantity

    def adjust(self, sku: str, delta: int) -> None:
        """Correct the level of `sku` after a stock count; it can never go below zero."""
        new_level = self.level(sku) + delta
        if new_level < 0:
            raise StockError(f"{sku}: adjusting {self.level(sku)} by {delta} goes below zero")
        self._levels[sku] = new_level

    def apply(self, movement: Movement) -> None:
        """Book one movement."""
        if movement.kind == "receipt":
            self.receive(movement.sku, movement.quantity)
        elif movement.kind == "shipment":
            self.ship(movement.sku, movement.quantity)
        else:
            self.adjust(movement.sku, movement.quantity)


def stock_from_movements(movements: Iterable[Movement]) -> Stock:
    """The stock after booking `movements` in order, starting from nothing."""
    stock = Stock()
    for movement in movements:
        stock.apply(movement)
    return stock
