from shop.cart import cart_total


def test_zero_quantity_costs_nothing():
    assert cart_total([{"name": "x", "price_cents": 999, "qty": 0, "category": "c"}]) == 0


def test_result_is_an_int():
    total = cart_total([{"name": "x", "price_cents": 1, "qty": 7, "category": "c"}])
    assert total == 7 and isinstance(total, int)
