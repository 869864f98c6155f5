from shop.items import SAMPLE
from shop.reports import by_category


def test_totals_per_category():
    assert by_category(SAMPLE) == {"food": 1497, "kitchen": 3100}
