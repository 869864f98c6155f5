from shop.items import SAMPLE


def test_sample_items_have_prices():
    assert all(item["price_cents"] > 0 for item in SAMPLE)
