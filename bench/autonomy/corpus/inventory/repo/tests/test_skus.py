import pytest

from inventory.skus import is_valid_sku, normalize_sku, sku_prefix


def test_normalize_strips_and_upper_cases():
    assert normalize_sku("  kit-0042\n") == "KIT-0042"


def test_valid_skus_have_a_prefix_a_dash_and_four_digits():
    assert is_valid_sku("KIT-0042")
    assert is_valid_sku("TOYS-1000")
    assert not is_valid_sku("K-0042")
    assert not is_valid_sku("KIT-42")
    assert not is_valid_sku("kit-0042")


def test_the_prefix_is_the_part_before_the_dash():
    assert sku_prefix("TOYS-1000") == "TOYS"


def test_the_prefix_of_something_that_is_not_a_sku_is_an_error():
    with pytest.raises(ValueError):
        sku_prefix("hello")
