"""The title line of a task: the pattern of its leading id, its title and its trailing markers."""

import re

# [0-9] rather than \d: \d also matches other scripts' digits, which nobody means as an id.
# The parser's task pattern embeds this one, so a task line's id is found in the same match.
ID_PATTERN = (
    r"(?P<id>[0-9]+(?:\.[0-9]+)*|[A-Za-z][A-Za-z0-9_]*-[0-9]+(?:\.[0-9]+)*|#[0-9]+)"
    r"[.:)]?(?=[ \t]|$)"
)
# Known keys may be glued to their value ("depends:1.0"); other keys need a space after the colon
# so that "(https://…)" or "(10:30)" in a title are not taken for markers.
_KNOWN_KEY = re.compile(r"[ \t]*(?P<key>depends|verify)[ \t]*:", re.IGNORECASE)
_OTHER_KEY = re.compile(r"[ \t]*(?P<key>[A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?=[ \t]|$)")
_SPLIT = re.compile(r"[;,][ \t]*(?=[A-Za-z][A-Za-z0-9_-]*[ \t]*:)")
_DEP_SEP = re.compile(r"[\s,;]+")
EM_DASH = "\u2014"

# title, depends, verify, markers: a plain tuple, since one is built for every task.
TitleParts = tuple[str, tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]


def _marker(part: str) -> tuple[str, str] | None:
    match = _KNOWN_KEY.match(part) or _OTHER_KEY.match(part)
    if match is None:
        return None
    return match.group("key").lower(), part[match.end() :].strip()


def _marker_group(text: str) -> list[tuple[str, str]] | None:
    """Markers in one group ("depends: 1; verify: make"), or None when it is ordinary prose."""
    parts = _SPLIT.split(text)
    out: list[tuple[str, str]] = []
    for part in parts:
        marker = _marker(part)
        if marker is None:
            return None
        out.append(marker)
    return out


def _opening_paren(text: str) -> int | None:
    """Index of the '(' matching the ')' that ends `text`, balancing nested parentheses."""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                return index
    return None


def _strip_markers(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Remove the last marker group(s) from the end of `text`: "(key: v)" or "— key: v"."""
    if text.endswith(")"):
        start = _opening_paren(text)
        if start is not None:
            group = _marker_group(text[start + 1 : -1])
            if group is not None:
                return text[:start].rstrip(" \t"), group
    # "Title — depends: 1 — verify: make": everything after the first dash that starts markers.
    search_from = 0
    while (dash := text.find(EM_DASH, search_from)) != -1:
        groups = [_marker_group(segment) for segment in text[dash + 1 :].split(EM_DASH)]
        if all(group is not None for group in groups):
            found = [marker for group in groups if group is not None for marker in group]
            return text[:dash].rstrip(" \t"), found
        search_from = dash + 1
    return text, []


def split_markers(text: str) -> TitleParts:
    """Split the text after a task's checkbox and id into its title and its trailing markers.

    Returns the title, the depends targets, the verify commands and all the markers in order.
    """
    text = text.strip(" \t")
    if not text.endswith(")") and EM_DASH not in text:
        return text, (), (), ()  # the common case: no markers at all
    markers: list[tuple[str, str]] = []
    while True:
        text, found = _strip_markers(text)
        if not found:
            break
        markers[:0] = found

    depends: list[str] = []
    verify: list[str] = []
    for key, value in markers:
        if key == "depends":
            for dep in _DEP_SEP.split(value):
                if dep and dep not in depends:
                    depends.append(dep)
        elif key == "verify" and value:
            verify.append(value)
    return text, tuple(depends), tuple(verify), tuple(markers)
