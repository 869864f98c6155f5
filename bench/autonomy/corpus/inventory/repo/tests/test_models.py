from datetime import date

import pytest

from inventory.models import Item, Movement


def test_an_item_has_no_reorder_point_by_default():
    item = Item("KIT-0001", "Mug", "kitchen", 450)
    assert item.reorder_point == 0
    assert item.target_level == 0


def test_a_negative_unit_cost_is_refused():
    with pytest.raises(ValueError):
        Item("KIT-0001", "Mug", "kitchen", -1)


def test_an_unknown_movement_kind_is_refused():
    with pytest.raises(ValueError, match="unknown movement kind"):
        Movement(date(2024, 3, 1), "KIT-0001", "gift", 2)


def test_an_adjustment_may_be_negative_but_a_shipment_may_not():
    assert Movement(date(2024, 3, 1), "KIT-0001", "adjustment", -2).quantity == -2
    with pytest.raises(ValueError):
        Movement(date(2024, 3, 1), "KIT-0001", "shipment", -2)
