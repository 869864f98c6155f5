"""Excerpts for post previews."""

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, at a space when possible, with `…`."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    head = text[:room]
    cut = head.rfind(" ")
    if cut > 0:
        head = head[:cut]
    return head.rstrip() + ELLIPSIS
