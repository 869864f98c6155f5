"""URL slugs for post titles."""

import re


def slugify(title: str) -> str:
    """Lowercase, separators to single dashes, other non-alphanumerics dropped."""
    text = re.sub(r"[\s_-]+", "-", title.lower())
    text = "".join(ch for ch in text if ch.isalnum() or ch == "-")
    return re.sub(r"-+", "-", text).strip("-")
