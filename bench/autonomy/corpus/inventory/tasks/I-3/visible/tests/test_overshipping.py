import pytest

from inventory.stock import InsufficientStock, Stock


def test_shipping_more_than_is_on_hand_fails():
    stock = Stock({"KIT-0001": 3})
    with pytest.raises(InsufficientStock):
        stock.ship("KIT-0001", 4)


def test_a_failed_shipment_leaves_the_level_unchanged():
    stock = Stock({"KIT-0001": 3})
    with pytest.raises(InsufficientStock):
        stock.ship("KIT-0001", 4)
    assert stock.level("KIT-0001") == 3
