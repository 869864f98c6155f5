from datetime import date

import pytest

from inventory.models import Movement
from inventory.stock import Stock, StockError, stock_from_movements


def test_a_sku_never_booked_has_level_zero():
    assert Stock().level("KIT-0001") == 0


def test_receiving_and_shipping_change_the_level():
    stock = Stock()
    stock.receive("KIT-0001", 10)
    stock.ship("KIT-0001", 4)
    assert stock.level("KIT-0001") == 6


def test_quantities_must_be_positive():
    with pytest.raises(ValueError):
        Stock().receive("KIT-0001", 0)


def test_an_adjustment_cannot_go_below_zero():
    stock = Stock({"KIT-0001": 3})
    with pytest.raises(StockError):
        stock.adjust("KIT-0001", -4)
    assert stock.level("KIT-0001") == 3


def test_stock_is_built_from_movements_in_order():
    day = date(2024, 3, 1)
    stock = stock_from_movements([
        Movement(day, "TOY-0002", "receipt", 5),
        Movement(day, "KIT-0001", "receipt", 10),
        Movement(day, "KIT-0001", "shipment", 3),
        Movement(day, "KIT-0001", "adjustment", -1),
    ])
    assert stock.levels() == {"KIT-0001": 6, "TOY-0002": 5}
