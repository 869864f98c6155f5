import pytest

from timetools.durations import parse_duration


def test_all_units():
    assert parse_duration("1h2m3s") == 3723
    assert parse_duration("90m") == 5400


def test_order_and_repeats_are_errors():
    for bad in ("30m1h", "1h1h", "", "h", "1x", "1.5h"):
        with pytest.raises(ValueError):
            parse_duration(bad)
