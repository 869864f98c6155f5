from textkit.slug import slugify


def test_unicode_letters_are_kept():
    assert slugify("Crème Brûlée") == "crème-brûlée"


def test_only_punctuation_is_empty():
    assert slugify("!!!") == ""


def test_mixed_runs():
    assert slugify("-Already-Slugged-") == "already-slugged"
    assert slugify("Tabs\tand\nnewlines") == "tabs-and-newlines"
