from inventory.skus import is_valid_sku, normalize_sku


def test_a_padded_dash_form_is_normalized_too():
    assert normalize_sku("  toys-7 \n") == "TOYS-0007"


def test_the_result_is_a_valid_sku():
    for text in ("ab1", "abcd_9999", "Kit 0420"):
        assert is_valid_sku(normalize_sku(text)), text


def test_text_that_is_not_a_sku_is_only_trimmed_and_upper_cased():
    assert normalize_sku("  hello world ") == "HELLO WORLD"
    assert normalize_sku("kit-12345") == "KIT-12345"
    assert normalize_sku("k 42") == "K 42"
