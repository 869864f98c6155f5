from timetools.ranges import overlaps


def test_containment_and_symmetry():
    assert overlaps((1, 10), (3, 4))
    assert overlaps((3, 4), (1, 10))


def test_empty_ranges_overlap_nothing():
    assert not overlaps((3, 3), (1, 10))
    assert not overlaps((1, 10), (5, 5))


def test_disjoint():
    assert not overlaps((1, 2), (3, 4))
