"""Money as text."""


def format_money(cents: int) -> str:
    """`123456` → `$1,234.56`; negatives as `-$5.00`."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"
