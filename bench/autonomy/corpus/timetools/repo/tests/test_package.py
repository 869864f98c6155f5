import timetools


def test_package_imports():
    assert timetools.__doc__
