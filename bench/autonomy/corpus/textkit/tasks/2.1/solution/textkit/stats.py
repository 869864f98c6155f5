"""Reading stats for the post footer."""

import re

_WORD = re.compile(r"[\w']+")


def word_count(text: str) -> int:
    """Runs of letters, digits and apostrophes."""
    return sum(1 for w in _WORD.findall(text) if w.strip("'_"))
