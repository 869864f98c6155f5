import pytest

from inventory.skus import next_sku


def test_gaps_are_not_reused_and_other_prefixes_do_not_count():
    existing = ["KIT-0003", "KIT-0001", "TOY-0500", "KITS-0900"]
    assert next_sku(existing, "KIT") == "KIT-0004"


def test_a_lower_case_prefix_is_accepted():
    assert next_sku(["TOY-0009"], "toy") == "TOY-0010"


def test_a_prefix_that_is_not_two_to_four_letters_is_refused():
    for prefix in ("K", "TOYSS", "K1", ""):
        with pytest.raises(ValueError):
            next_sku([], prefix)


def test_no_number_is_left_after_9999():
    with pytest.raises(ValueError):
        next_sku(["KIT-0001", "KIT-9999"], "KIT")
