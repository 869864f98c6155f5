from textkit.slug import slugify


def test_simple_title():
    assert slugify("Hello World") == "hello-world"


def test_punctuation_is_dropped():
    assert slugify("What's new in 3.12?") == "whats-new-in-312"


def test_separators_collapse():
    assert slugify("  a -- b__c  ") == "a-b-c"
