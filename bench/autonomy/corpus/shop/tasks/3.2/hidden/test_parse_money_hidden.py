import pytest

from shop.money import parse_money


def test_negative_round_trip():
    assert parse_money("-$5.00") == -500


def test_too_many_decimals():
    with pytest.raises(ValueError):
        parse_money("1.234")


def test_misplaced_separator_and_empty():
    for bad in ("", "$", "1,23.00", "$$1"):
        with pytest.raises(ValueError):
            parse_money(bad)
