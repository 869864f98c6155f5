from textkit.titles import title_case


def test_only_first_letters_change():
    assert title_case("nasa and the moon") == "Nasa and the Moon"
    assert title_case("NASA and the moon") == "NASA and the Moon"
    assert title_case("why the iPhone won") == "Why the IPhone Won"


def test_small_words_as_written_become_lowercase_inside():
    assert title_case("War And Peace") == "War and Peace"


def test_single_small_word():
    assert title_case("of") == "Of"
