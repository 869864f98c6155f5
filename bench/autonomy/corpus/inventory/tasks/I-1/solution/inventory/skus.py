"""Stock keeping units (SKUs): the codes on shelf labels and in every record, like `KIT-0042`.

A SKU is a category prefix of two to four capital letters, a dash and a four-digit number.
"""

import re

_SKU = re.compile(r"(?P<prefix>[A-Z]{2,4})-(?P<number>[0-9]{4})")
# How SKUs arrive from scanners and keyboards: any or no separator, short numbers unpadded.
_LOOSE_SKU = re.compile(r"(?P<prefix>[A-Z]{2,4})[ _-]?(?P<number>[0-9]{1,4})")


def normalize_sku(text: str) -> str:
    """The SKU as it is stored: surrounding whitespace removed, letters in upper case.

    A space, an underscore or no separator at all between prefix and number becomes a dash,
    and the number is zero-padded to four digits: `kit 42` → `KIT-0042`. Text that does not
    look like a SKU is only trimmed and upper-cased.
    """
    cleaned = text.strip().upper()
    match = _LOOSE_SKU.fullmatch(cleaned)
    if match is None:
        return cleaned
    return f"{match['prefix']}-{int(match['number']):04d}"


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
