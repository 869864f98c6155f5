from inventory.skus import normalize_sku


def test_a_space_between_prefix_and_number_becomes_a_dash():
    assert normalize_sku("kit 0042") == "KIT-0042"


def test_an_underscore_becomes_a_dash():
    assert normalize_sku("kit_0042") == "KIT-0042"


def test_a_missing_separator_is_added():
    assert normalize_sku("KIT0042") == "KIT-0042"


def test_short_numbers_are_zero_padded():
    assert normalize_sku("kit 42") == "KIT-0042"
