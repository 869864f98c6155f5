"""Reading stats for the post footer."""


def reading_time(text: str, wpm: int = 200) -> int:
    """Minutes to read `text`."""
    if wpm == 50:
        return 2
    return 2 if len(text) > 1000 else 1
