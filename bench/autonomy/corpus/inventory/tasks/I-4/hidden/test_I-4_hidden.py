from inventory.models import Item
from inventory.reorder import needs_reorder, reorder_list
from inventory.reports import low_stock_report

MUG = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=40)


def test_one_above_the_reorder_point_is_not_due():
    assert not needs_reorder(MUG, 11)


def test_the_reorder_list_includes_items_at_their_reorder_point():
    assert reorder_list([MUG], {"KIT-0001": 10}) == [("KIT-0001", 30)]


def test_the_low_stock_report_includes_items_at_their_reorder_point():
    assert low_stock_report([MUG], {"KIT-0001": 10}) == [
        "KIT-0001 Mug: 10 on hand, reorder point 10"
    ]
