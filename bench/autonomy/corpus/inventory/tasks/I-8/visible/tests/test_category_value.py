from inventory.models import Item
from inventory.reports import stock_value_cents

ITEMS = [
    Item("KIT-0001", "Mug", "kitchen", 450),
    Item("KIT-0003", "Plate", "kitchen", 300),
    Item("TOY-0002", "Bear", "toys", 1200),
]
LEVELS = {"KIT-0001": 10, "KIT-0003": 5, "TOY-0002": 2}


def test_the_value_of_one_category():
    assert stock_value_cents(ITEMS, LEVELS, category="kitchen") == 6000


def test_without_a_category_everything_counts():
    assert stock_value_cents(ITEMS, LEVELS) == 8400
