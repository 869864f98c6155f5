import pytest

from timetools.durations import format_duration


def test_examples():
    assert format_duration(5400) == "1h30m"
    assert format_duration(3600) == "1h"
    assert format_duration(0) == "0s"


def test_negative():
    with pytest.raises(ValueError):
        format_duration(-1)
