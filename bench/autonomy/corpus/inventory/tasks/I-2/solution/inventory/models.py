"""The records the inventory is made of: catalogue items and stock movements.

Money is integer cents and quantities are whole units, so nothing is lost to rounding.
"""

from dataclasses import dataclass
from datetime import date

MOVEMENT_KINDS = ("receipt", "shipment", "adjustment")


@dataclass(frozen=True)
class Item:
    """One item of the catalogue.

    When its stock level falls to `reorder_point`, an order is due that brings the level back
    up to `target_level`. The supplier delivers in cases of `case_size` units.
    """

    sku: str
    name: str
    category: str
    unit_cost_cents: int
    reorder_point: int = 0
    target_level: int = 0
    case_size: int = 1

    def __post_init__(self) -> None:
        if self.unit_cost_cents < 0:
            raise ValueError(f"{self.sku}: the unit cost must not be negative")
        if self.reorder_point < 0 or self.target_level < 0:
            raise ValueError(f"{self.sku}: reorder point and target level must not be negative")
        if self.case_size < 1:
            raise ValueError(f"{self.sku}: the case size must be at least 1")


@dataclass(frozen=True)
class Movement:
    """One change to the stock of one SKU on one day.

    Receipts and shipments have a positive `quantity`; an adjustment (after a stock count)
    may be negative, but never zero.
    """

    day: date
    sku: str
    kind: str
    quantity: int

    def __post_init__(self) -> None:
        if self.kind not in MOVEMENT_KINDS:
            kinds = ", ".join(MOVEMENT_KINDS)
            raise ValueError(f"unknown movement kind {self.kind!r} (expected one of {kinds})")
        if self.quantity == 0 or (self.kind != "adjustment" and self.quantity < 0):
            raise ValueError(f"{self.kind} of {self.sku}: bad quantity {self.quantity}")
