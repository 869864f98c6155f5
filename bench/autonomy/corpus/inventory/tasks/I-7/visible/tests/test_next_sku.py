from inventory.skus import next_sku


def test_the_next_sku_follows_the_highest_number_of_the_prefix():
    existing = ["KIT-0001", "KIT-0007", "TOY-0042"]
    assert next_sku(existing, "KIT") == "KIT-0008"


def test_a_new_prefix_starts_at_one():
    assert next_sku(["KIT-0001"], "GARD") == "GARD-0001"
