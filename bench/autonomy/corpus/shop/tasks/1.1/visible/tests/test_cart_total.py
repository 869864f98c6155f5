from shop.cart import cart_total
from shop.items import SAMPLE


def test_sample_total():
    assert cart_total(SAMPLE) == 1250 * 2 + 499 * 3 + 150 * 4


def test_empty_cart():
    assert cart_total([]) == 0
