import pytest

from timetools.durations import parse_duration


def test_parts():
    assert parse_duration("1h30m") == 5400
    assert parse_duration("45s") == 45
    assert parse_duration("2h") == 7200


def test_bad_input():
    with pytest.raises(ValueError):
        parse_duration("soon")
