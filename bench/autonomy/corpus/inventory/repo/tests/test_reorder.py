from inventory.models import Item
from inventory.reorder import needs_reorder, reorder_list, reorder_quantity

MUG = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=40)
BEAR = Item("TOY-0002", "Bear", "toys", 1200, reorder_point=5, target_level=20)


def test_an_item_below_its_reorder_point_needs_reorder():
    assert needs_reorder(MUG, 4)
    assert not needs_reorder(MUG, 25)


def test_the_order_brings_the_level_back_to_the_target():
    assert reorder_quantity(MUG, 4) == 36


def test_nothing_is_ordered_when_stock_is_sufficient():
    assert reorder_quantity(MUG, 25) == 0


def test_the_reorder_list_is_sorted_by_sku_and_skips_items_with_enough_stock():
    items = [BEAR, MUG, Item("KIT-0003", "Plate", "kitchen", 300, 10, 30)]
    assert reorder_list(items, {"KIT-0001": 2, "KIT-0003": 50}) == [
        ("KIT-0001", 38),
        ("TOY-0002", 20),
    ]
