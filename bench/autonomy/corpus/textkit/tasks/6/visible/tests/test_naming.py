from textkit.naming import camel_to_snake


def test_simple():
    assert camel_to_snake("camelCase") == "camel_case"


def test_acronyms():
    assert camel_to_snake("parseHTTPResponse") == "parse_http_response"
