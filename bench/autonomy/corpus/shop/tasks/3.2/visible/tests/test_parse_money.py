import pytest

from shop.money import parse_money


def test_parses_formatted_money():
    assert parse_money("$1,234.56") == 123456


def test_plain_and_one_decimal():
    assert parse_money("12") == 1200
    assert parse_money("$1,000.5") == 100050


def test_rejects_garbage():
    with pytest.raises(ValueError):
        parse_money("twelve dollars")
