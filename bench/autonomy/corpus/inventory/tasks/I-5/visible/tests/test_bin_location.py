from inventory.models import Item
from inventory.reports import low_stock_report


def test_an_item_has_no_location_by_default():
    assert Item("KIT-0001", "Mug", "kitchen", 450).location == ""


def test_the_low_stock_report_shows_the_bin_location():
    mug = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=40,
               location="A-03-2")
    assert low_stock_report([mug], {"KIT-0001": 3}) == [
        "KIT-0001 Mug: 3 on hand, reorder point 10 [A-03-2]"
    ]
