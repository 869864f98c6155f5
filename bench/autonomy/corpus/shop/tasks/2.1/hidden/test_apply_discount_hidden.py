import pytest

from shop.discounts import apply_discount


def test_bounds_are_allowed():
    assert apply_discount(999, 0) == 999
    assert apply_discount(999, 100) == 0


def test_negative_percent():
    with pytest.raises(ValueError):
        apply_discount(100, -1)


def test_half_up_not_bankers():
    assert apply_discount(5, 50) == 3
    assert apply_discount(15, 50) == 8
