import csv
import io

from inventory.models import Item
from inventory.reports import stock_csv


def test_large_values_have_no_thousands_separator():
    rows = stock_csv([Item("KIT-0001", "Mixer", "kitchen", 24690)], {"KIT-0001": 5})
    assert rows.splitlines()[1] == "KIT-0001,Mixer,kitchen,5,1234.50"


def test_names_with_commas_or_quotes_are_quoted():
    item = Item("KIT-0001", 'Mug, large "XL"', "kitchen", 5)
    text = stock_csv([item], {"KIT-0001": 1})
    assert text.splitlines()[1] == 'KIT-0001,"Mug, large ""XL""",kitchen,1,0.05'
    assert list(csv.reader(io.StringIO(text)))[1][1] == 'Mug, large "XL"'


def test_no_items_give_just_the_header():
    assert stock_csv([], {}) == "sku,name,category,level,value\n"
