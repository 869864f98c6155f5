from inventory.models import Item
from inventory.reorder import needs_reorder, reorder_quantity

MUG = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=40)


def test_an_item_exactly_at_its_reorder_point_needs_reorder():
    assert needs_reorder(MUG, 10)


def test_an_item_at_its_reorder_point_is_ordered_up_to_the_target():
    assert reorder_quantity(MUG, 10) == 30
