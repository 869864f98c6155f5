from textkit.naming import camel_to_snake


def test_digits_stick_to_the_previous_word():
    assert camel_to_snake("utf8Decoder") == "utf8_decoder"


def test_leading_capital_and_trailing_acronym():
    assert camel_to_snake("HTTPServer") == "http_server"
    assert camel_to_snake("getURL") == "get_url"


def test_already_snake():
    assert camel_to_snake("already_snake") == "already_snake"
