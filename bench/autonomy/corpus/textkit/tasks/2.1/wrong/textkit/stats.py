"""Reading stats for the post footer."""


def word_count(text: str) -> int:
    """Words separated by spaces."""
    return len(text.split(" "))
