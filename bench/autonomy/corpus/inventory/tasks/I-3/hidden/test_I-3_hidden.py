from datetime import date

import pytest

from inventory.models import Movement
from inventory.stock import InsufficientStock, Stock, StockError, stock_from_movements


def test_shipping_everything_on_hand_is_allowed():
    stock = Stock({"KIT-0001": 3})
    stock.ship("KIT-0001", 3)
    assert stock.level("KIT-0001") == 0


def test_insufficient_stock_is_a_stock_error():
    with pytest.raises(StockError):
        Stock().ship("TOY-0002", 1)
    assert Stock().level("TOY-0002") == 0


def test_a_shipment_movement_beyond_the_stock_fails_too():
    day = date(2024, 3, 1)
    with pytest.raises(InsufficientStock):
        stock_from_movements([
            Movement(day, "KIT-0001", "receipt", 2),
            Movement(day, "KIT-0001", "shipment", 5),
        ])
