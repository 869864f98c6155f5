"""Headline casing."""

SMALL = set("a an and as at but by for in of on or the to".split())


def title_case(text: str) -> str:
    """Capitalise each word's first letter, except small words inside the headline."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        inner = 0 < i < len(words) - 1
        if inner and word.lower() in SMALL:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)
