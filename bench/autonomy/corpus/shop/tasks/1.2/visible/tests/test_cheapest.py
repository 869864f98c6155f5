from shop.cart import cheapest
from shop.items import SAMPLE


def test_cheapest_unit_price():
    assert cheapest(SAMPLE)["name"] == "spoon"


def test_empty():
    assert cheapest([]) is None
