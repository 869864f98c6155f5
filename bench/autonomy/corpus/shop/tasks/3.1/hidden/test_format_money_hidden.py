from shop.money import format_money


def test_small_amounts():
    assert format_money(0) == "$0.00"
    assert format_money(7) == "$0.07"


def test_millions():
    assert format_money(123456789) == "$1,234,567.89"
    assert format_money(-100000) == "-$1,000.00"
