from datetime import date

import pytest

from inventory.models import Movement
from inventory.movements import format_movement, movements_between, parse_movement


def test_a_line_is_parsed_into_a_movement():
    movement = parse_movement("2024-03-01, kit-0042, Receipt, 40")
    assert movement == Movement(date(2024, 3, 1), "KIT-0042", "receipt", 40)


def test_a_malformed_line_is_quoted_in_the_error():
    with pytest.raises(ValueError, match="2024-03-01,KIT-0042,receipt"):
        parse_movement("2024-03-01,KIT-0042,receipt")
    with pytest.raises(ValueError, match="lots"):
        parse_movement("2024-03-01,KIT-0042,receipt,lots")


def test_formatting_is_the_inverse_of_parsing():
    line = "2024-03-01,KIT-0042,adjustment,-2"
    assert format_movement(parse_movement(line)) == line


def test_movements_between_includes_both_days():
    days = [date(2024, 3, d) for d in (1, 2, 3, 4)]
    movements = [Movement(day, "KIT-0042", "receipt", 1) for day in days]
    assert movements_between(movements, days[1], days[2]) == movements[1:3]
