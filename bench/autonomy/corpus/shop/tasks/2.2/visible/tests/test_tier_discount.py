from shop.discounts import tier_discount


def test_tiers():
    assert tier_discount(4999) == 0
    assert tier_discount(5000) == 5
    assert tier_discount(10000) == 10
    assert tier_discount(25000) == 15
