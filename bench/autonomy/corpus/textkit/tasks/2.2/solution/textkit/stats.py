"""Reading stats for the post footer."""

import math
import re

_WORD = re.compile(r"[A-Za-z0-9']+")


def reading_time(text: str, wpm: int = 200) -> int:
    """Whole minutes to read `text`, rounded up, at least 1."""
    words = sum(1 for w in _WORD.findall(text) if w.strip("'"))
    return max(1, math.ceil(words / wpm))
