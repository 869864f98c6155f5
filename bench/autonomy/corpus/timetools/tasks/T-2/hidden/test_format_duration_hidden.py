from timetools.durations import format_duration


def test_all_parts_and_seconds_only():
    assert format_duration(3723) == "1h2m3s"
    assert format_duration(59) == "59s"
    assert format_duration(60) == "1m"


def test_many_hours():
    assert format_duration(100 * 3600 + 1) == "100h1s"
