import pytest

from inventory.movements import format_movement, parse_movements


def test_an_empty_export_has_no_movements():
    assert parse_movements("") == []
    assert parse_movements("\n   \n# nothing today\n") == []


def test_indented_comments_and_windows_line_endings_are_handled():
    text = "  # comment\r\n2024-03-01,KIT-0042,receipt,40\r\n\r\n2024-03-02,TOY-0001,receipt,1\r\n"
    lines = [format_movement(movement) for movement in parse_movements(text)]
    assert lines == ["2024-03-01,KIT-0042,receipt,40", "2024-03-02,TOY-0001,receipt,1"]


def test_blank_and_comment_lines_count_for_the_line_number():
    text = "\n# a\n\n2024-03-01,KIT-0042,receipt,40\n2024-03-01,KIT-0042,gift,1\n"
    with pytest.raises(ValueError, match=r"^line 5: .*gift"):
        parse_movements(text)
