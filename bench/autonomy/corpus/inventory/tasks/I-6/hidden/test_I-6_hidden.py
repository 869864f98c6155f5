from datetime import date

import pytest

from inventory.models import MOVEMENT_KINDS, Movement
from inventory.stock import Stock

DAY = date(2024, 3, 1)


def test_writeoff_is_a_known_movement_kind():
    assert "writeoff" in MOVEMENT_KINDS
    assert set(MOVEMENT_KINDS) >= {"receipt", "shipment", "adjustment"}


def test_a_writeoff_needs_a_positive_quantity():
    with pytest.raises(ValueError):
        Movement(DAY, "KIT-0001", "writeoff", -2)
    with pytest.raises(ValueError):
        Movement(DAY, "KIT-0001", "writeoff", 0)


def test_a_writeoff_is_booked_like_a_shipment():
    stock = Stock({"KIT-0001": 10, "TOY-0002": 4})
    stock.apply(Movement(DAY, "KIT-0001", "writeoff", 10))
    stock.apply(Movement(DAY, "TOY-0002", "shipment", 1))
    assert stock.levels() == {"KIT-0001": 0, "TOY-0002": 3}
