from inventory.models import Item
from inventory.reorder import reorder_quantity


def test_an_item_comes_in_single_units_by_default():
    assert Item("KIT-0001", "Mug", "kitchen", 450).case_size == 1


def test_the_order_is_rounded_up_to_whole_cases():
    mug = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=50, case_size=12)
    assert reorder_quantity(mug, 4) == 48


def test_an_order_that_fills_whole_cases_is_not_rounded():
    mug = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=50, case_size=12)
    assert reorder_quantity(mug, 2) == 48
