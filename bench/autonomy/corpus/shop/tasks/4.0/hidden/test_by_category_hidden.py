from shop.reports import by_category


def test_sorted_by_category_name():
    items = [
        {"name": "b", "price_cents": 1, "qty": 1, "category": "zeta"},
        {"name": "a", "price_cents": 2, "qty": 1, "category": "alpha"},
    ]
    assert list(by_category(items)) == ["alpha", "zeta"]


def test_empty():
    assert by_category([]) == {}
