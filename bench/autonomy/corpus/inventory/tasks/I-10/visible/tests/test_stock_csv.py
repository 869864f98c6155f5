from inventory.models import Item
from inventory.reports import stock_csv


def test_the_csv_has_a_header_and_one_row_per_item_by_sku():
    items = [Item("TOY-0002", "Bear", "toys", 1200), Item("KIT-0001", "Mug", "kitchen", 450)]
    assert stock_csv(items, {"KIT-0001": 3, "TOY-0002": 1}) == (
        "sku,name,category,level,value\n"
        "KIT-0001,Mug,kitchen,3,13.50\n"
        "TOY-0002,Bear,toys,1,12.00\n"
    )
