"""Stock keeping units (SKUs): the codes on shelf labels and in every record, like `KIT-0042`.

A SKU is a category prefix of two to four capital letters, a dash and a four-digit number.
"""

import re
from collections.abc import Iterable

_SKU = re.compile(r"(?P<prefix>[A-Z]{2,4})-(?P<number>[0-9]{4})")
_PREFIX = re.compile(r"[A-Z]{2,4}")
_HIGHEST_NUMBER = 9999


def normalize_sku(text: str) -> str:
    """The SKU as it is stored: surrounding whitespace removed, letters in upper case."""
    return text.strip().upper()


def is_valid_sku(text: str) -> bool:
    """Whether `text` is a SKU in its stored form (see `normalize_sku`)."""
    return _SKU.fullmatch(text) is not None


def sku_prefix(sku: str) -> str:
    """The category prefix of a SKU: `KIT-0042` → `KIT`.

    Raises `ValueError` if `sku` is not a valid SKU.
    """
    match = _SKU.fullmatch(sku)
    if match is None:
        raise ValueError(f"not a SKU: {sku!r}")
    return match["prefix"]


def next_sku(existing: Iterable[str], prefix: str) -> str:
    """The SKU a new item of category `prefix` gets: one past the highest number in use.

    Gaps are not reused, so a number never comes back after an item was dropped. A prefix not
    seen before starts at `0001`. Raises `ValueError` for a prefix that is not two to four
    letters, or when the prefix has used up its numbers.
    """
    prefix = prefix.strip().upper()
    if _PREFIX.fullmatch(prefix) is None:
        raise ValueError(f"a SKU prefix is two to four letters, got {prefix!r}")
    numbers = [
        int(match["number"])
        for sku in existing
        if (match := _SKU.fullmatch(sku)) is not None and match["prefix"] == prefix
    ]
    highest = max(numbers, default=0)
    if highest >= _HIGHEST_NUMBER:
        raise ValueError(f"no SKU numbers left for prefix {prefix}")
    return f"{prefix}-{highest + 1:04d}"
