"""Durations as text."""


def parse_duration(text: str) -> int:
    """Seconds in `text`."""
    total = 0
    number = ""
    for ch in text:
        if ch.isdigit():
            number += ch
        elif ch in "hms":
            total += int(number or 0) * {"h": 3600, "m": 60, "s": 1}[ch]
            number = ""
    return total
