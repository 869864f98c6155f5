"""Sample items used in docs and tests."""

SAMPLE = [
    {"name": "mug", "price_cents": 1250, "qty": 2, "category": "kitchen"},
    {"name": "tea", "price_cents": 499, "qty": 3, "category": "food"},
    {"name": "spoon", "price_cents": 150, "qty": 4, "category": "kitchen"},
]
