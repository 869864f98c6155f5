from datetime import date

import pytest

from inventory.models import Movement
from inventory.movements import parse_movements

EXPORT = """# terminal 2, March
2024-03-01,KIT-0042,receipt,40

2024-03-02,KIT-0042,shipment,5
"""


def test_every_movement_line_is_read_in_order():
    assert parse_movements(EXPORT) == [
        Movement(date(2024, 3, 1), "KIT-0042", "receipt", 40),
        Movement(date(2024, 3, 2), "KIT-0042", "shipment", 5),
    ]


def test_a_malformed_line_is_reported_with_its_line_number():
    with pytest.raises(ValueError, match=r"^line 3: "):
        parse_movements("# header\n2024-03-01,KIT-0042,receipt,40\n2024-03-02,KIT-0042\n")
