from shop.money import format_money


def test_thousands():
    assert format_money(123456) == "$1,234.56"


def test_negative():
    assert format_money(-500) == "-$5.00"
