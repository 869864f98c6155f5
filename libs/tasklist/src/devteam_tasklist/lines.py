"""Splitting a document into lines while remembering where each line starts in the original text."""

import re
from itertools import accumulate
from operator import add

BOM = "\ufeff"
TAB_WIDTH = 4
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def split_lines(text: str) -> tuple[list[str], list[int]]:
    """The lines of `text` without their line breaks, and the offset in `text` where each starts.

    A line break is "\\r\\n", "\\r" or "\\n" (markdown knows no others, so `str.splitlines` would
    split too often); a break at the very end does not start another line. A leading BOM is not
    part of the first line, but the offsets count it, so they index the text as it was given.
    """
    base = 1 if text.startswith(BOM) else 0
    rest = text[base:] if base else text
    if "\r" in rest:
        # parts alternate a line and its line break ("" for a last line without one).
        parts = _LINE_BREAK.split(rest)
        lines = parts[::2]
        starts = list(accumulate(map(len, parts), initial=base))[::2]
    else:
        # The common case, done in C: a line starts after the lines before it plus one "\n" each.
        lines = rest.split("\n")
        starts = list(map(add, accumulate(map(len, lines), initial=base), range(len(lines))))
    if not lines[-1]:
        lines.pop()  # the text ends with a line break (or is empty): there is no line after it
    return lines, starts


def indent_width(whitespace: str) -> int:
    """The width of leading whitespace, a tab advancing to the next multiple of TAB_WIDTH."""
    if "\t" not in whitespace:
        return len(whitespace)
    width = 0
    for char in whitespace:
        width = (width // TAB_WIDTH + 1) * TAB_WIDTH if char == "\t" else width + 1
    return width
