"""Half-open ranges."""


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """True when half-open ranges `a` and `b` share a point."""
    (a0, a1), (b0, b1) = a, b
    if a0 >= a1 or b0 >= b1:
        return False
    return a0 < b1 and b0 < a1
