from datetime import date

from inventory.models import Movement
from inventory.stock import stock_from_movements


def test_a_writeoff_lowers_the_stock_level():
    day = date(2024, 3, 1)
    stock = stock_from_movements([
        Movement(day, "KIT-0001", "receipt", 10),
        Movement(day, "KIT-0001", "writeoff", 3),
    ])
    assert stock.level("KIT-0001") == 7
