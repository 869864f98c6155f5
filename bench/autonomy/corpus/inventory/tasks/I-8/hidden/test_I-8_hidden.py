from inventory.models import Item
from inventory.reports import stock_value_cents

ITEMS = [
    Item("KIT-0001", "Mug", "kitchen", 450),
    Item("KIT-0003", "Plate", "kitchen", 300),
    Item("TOY-0002", "Bear", "toys", 1200),
]
LEVELS = {"KIT-0001": 10, "KIT-0003": 5, "TOY-0002": 2}


def test_the_category_is_matched_ignoring_case():
    assert stock_value_cents(ITEMS, LEVELS, category="Kitchen") == 6000
    assert stock_value_cents(ITEMS, LEVELS, "TOYS") == 2400


def test_a_category_without_items_is_worth_nothing():
    assert stock_value_cents(ITEMS, LEVELS, category="garden") == 0


def test_items_can_be_any_iterable():
    assert stock_value_cents(iter(ITEMS), LEVELS, category="toys") == 2400
