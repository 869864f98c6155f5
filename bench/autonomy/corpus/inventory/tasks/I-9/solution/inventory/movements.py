"""Movements as the warehouse terminal exports them: one per line, `YYYY-MM-DD,SKU,kind,quantity`.

For example `2024-03-01,KIT-0042,receipt,40`.
"""

from collections.abc import Iterable
from datetime import date

from inventory.models import Movement
from inventory.skus import normalize_sku


def parse_movement(line: str) -> Movement:
    """The movement on one exported line.

    Raises `ValueError`, quoting the line, when it is malformed.
    """
    parts = [part.strip() for part in line.split(",")]
    if len(parts) != 4:
        raise ValueError(f"expected 4 fields, got {len(parts)}: {line!r}")
    day, sku, kind, quantity = parts
    try:
        return Movement(date.fromisoformat(day), normalize_sku(sku), kind.lower(), int(quantity))
    except ValueError as error:
        raise ValueError(f"{error}: {line!r}") from error


def parse_movements(text: str) -> list[Movement]:
    """Every movement of a whole export, in order.

    Blank lines and lines starting with `#` are skipped. A malformed line raises `ValueError`
    whose message starts with its line number (`line 3: …`), counting every line of `text`.
    """
    movements = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        try:
            movements.append(parse_movement(content))
        except ValueError as error:
            raise ValueError(f"line {number}: {error}") from error
    return movements


def format_movement(movement: Movement) -> str:
    """The exported line of a movement, the inverse of `parse_movement`."""
    return f"{movement.day.isoformat()},{movement.sku},{movement.kind},{movement.quantity}"


def movements_between(movements: Iterable[Movement], start: date, end: date) -> list[Movement]:
    """The movements from `start` to `end`, both days included, in their original order."""
    return [movement for movement in movements if start <= movement.day <= end]
