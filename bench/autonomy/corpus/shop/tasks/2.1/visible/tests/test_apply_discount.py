import pytest

from shop.discounts import apply_discount


def test_ten_percent():
    assert apply_discount(1000, 10) == 900


def test_rounds_half_up():
    assert apply_discount(125, 50) == 63


def test_out_of_range():
    with pytest.raises(ValueError):
        apply_discount(100, 101)
