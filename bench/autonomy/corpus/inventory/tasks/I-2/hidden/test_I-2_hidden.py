import pytest

from inventory.models import Item
from inventory.reorder import reorder_list, reorder_quantity


def test_a_case_size_below_one_is_refused():
    with pytest.raises(ValueError):
        Item("KIT-0001", "Mug", "kitchen", 450, case_size=0)


def test_the_reorder_list_orders_whole_cases():
    plate = Item("KIT-0003", "Plate", "kitchen", 300, reorder_point=10, target_level=30,
                 case_size=25)
    assert reorder_list([plate], {"KIT-0003": 1}) == [("KIT-0003", 50)]


def test_no_case_is_ordered_when_stock_is_sufficient():
    plate = Item("KIT-0003", "Plate", "kitchen", 300, reorder_point=10, target_level=30,
                 case_size=25)
    assert reorder_quantity(plate, 20) == 0


def test_single_units_are_ordered_as_before():
    bear = Item("TOY-0002", "Bear", "toys", 1200, reorder_point=5, target_level=20)
    assert reorder_quantity(bear, 3) == 17
