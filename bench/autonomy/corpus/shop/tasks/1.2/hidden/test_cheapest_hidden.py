from shop.cart import cheapest


def item(name, price, qty=1):
    return {"name": name, "price_cents": price, "qty": qty, "category": "c"}


def test_ties_go_to_the_first():
    assert cheapest([item("a", 100), item("b", 100)])["name"] == "a"


def test_unit_price_not_line_total():
    assert cheapest([item("bulk", 10, qty=1000), item("one", 50)])["name"] == "bulk"
