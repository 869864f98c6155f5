from shop.discounts import tier_discount


def test_just_below_each_tier():
    assert tier_discount(9999) == 5
    assert tier_discount(24999) == 10


def test_large_and_zero():
    assert tier_discount(10**9) == 15
    assert tier_discount(0) == 0
