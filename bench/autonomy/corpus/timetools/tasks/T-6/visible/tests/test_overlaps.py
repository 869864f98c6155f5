from timetools.ranges import overlaps


def test_overlapping():
    assert overlaps((1, 5), (4, 8))


def test_touching_ranges_do_not_overlap():
    assert not overlaps((1, 5), (5, 8))
