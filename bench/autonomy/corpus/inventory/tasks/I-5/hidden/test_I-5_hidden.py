from inventory.models import Item
from inventory.reports import low_stock_report


def test_items_with_and_without_a_location_in_one_report():
    mug = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, location="A-03-2")
    bear = Item("TOY-0002", "Bear", "toys", 1200, reorder_point=5)
    assert low_stock_report([bear, mug], {"KIT-0001": 1, "TOY-0002": 2}) == [
        "KIT-0001 Mug: 1 on hand, reorder point 10 [A-03-2]",
        "TOY-0002 Bear: 2 on hand, reorder point 5",
    ]


def test_items_with_enough_stock_are_left_out_whatever_their_location():
    mug = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, location="A-03-2")
    assert low_stock_report([mug], {"KIT-0001": 50}) == []


def test_the_location_can_be_given_by_keyword_only():
    plate = Item("KIT-0003", "Plate", "kitchen", 300, location="B-01-1")
    assert plate.location == "B-01-1"
    assert plate.reorder_point == 0
