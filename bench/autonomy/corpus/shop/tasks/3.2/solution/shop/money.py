"""Money as text."""

import re

_MONEY = re.compile(r"^(-)?\$?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$")


def parse_money(text: str) -> int:
    """`"$1,234.56"` → `123456`; raises ValueError for anything that is not money."""
    match = _MONEY.match(text.strip())
    if not match:
        raise ValueError(f"not an amount of money: {text!r}")
    sign, whole, frac = match.groups()
    cents = int(whole.replace(",", "")) * 100 + int((frac or "0").ljust(2, "0"))
    return -cents if sign else cents
