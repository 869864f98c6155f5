import textkit


def test_package_has_a_docstring():
    assert textkit.__doc__
