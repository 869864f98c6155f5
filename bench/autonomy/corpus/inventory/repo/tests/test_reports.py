from inventory.models import Item
from inventory.reports import format_cents, low_stock_report, stock_value_cents

MUG = Item("KIT-0001", "Mug", "kitchen", 450, reorder_point=10, target_level=40)
BEAR = Item("TOY-0002", "Bear", "toys", 1200, reorder_point=5, target_level=20)


def test_amounts_have_thousands_separators_and_two_decimals():
    assert format_cents(123456) == "1,234.56"
    assert format_cents(-5) == "-0.05"


def test_the_stock_value_is_level_times_unit_cost():
    assert stock_value_cents([MUG, BEAR], {"KIT-0001": 10, "TOY-0002": 2}) == 6900


def test_an_item_without_a_level_is_worth_nothing():
    assert stock_value_cents([MUG, BEAR], {"KIT-0001": 1}) == 450


def test_the_low_stock_report_lists_items_due_for_reorder():
    report = low_stock_report([BEAR, MUG], {"KIT-0001": 3, "TOY-0002": 9})
    assert report == ["KIT-0001 Mug: 3 on hand, reorder point 10"]
