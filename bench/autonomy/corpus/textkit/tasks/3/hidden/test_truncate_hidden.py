from textkit.excerpt import truncate


def test_exact_fit_is_unchanged():
    assert truncate("abcdef", 6) == "abcdef"


def test_no_space_cuts_mid_word():
    assert truncate("Supercalifragilistic", 6) == "Super…"


def test_result_never_exceeds_the_limit():
    text = "lorem ipsum dolor sit amet consectetur"
    for limit in range(1, len(text) + 2):
        assert len(truncate(text, limit)) <= limit


def test_trailing_spaces_are_dropped_before_the_ellipsis():
    assert truncate("one two   three", 10) == "one two…"
