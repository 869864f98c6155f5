"""Protected path globs (pure)."""

import pytest

from devteam_implement.protected import protected_paths

PATHS = ["tests/test_a.py", "tests/unit/test_b.py", "src/app.py", "docs/x.md", "README.md"]


def test_double_star_spans_directories() -> None:
    assert protected_paths(PATHS, ["tests/**"]) == ["tests/test_a.py", "tests/unit/test_b.py"]
    assert protected_paths(PATHS, ["**/test_*.py"]) == ["tests/test_a.py", "tests/unit/test_b.py"]


def test_single_star_stays_in_one_segment() -> None:
    assert protected_paths(PATHS, ["tests/*.py"]) == ["tests/test_a.py"]
    assert protected_paths(PATHS, ["*.md"]) == ["README.md"]


def test_a_directory_covers_what_is_below() -> None:
    assert protected_paths(PATHS, ["docs", "src/"]) == ["src/app.py", "docs/x.md"]
    assert protected_paths(PATHS, []) == []


# (pattern, path, protected?): the meaning pinned down, where gitignore's own differs too.
SEMANTICS = [
    # Anchored at the repository's root: a pattern without a slash is not matched at any depth.
    ("*.py", "app.py", True),
    ("*.py", "src/app.py", False),
    ("app.py", "src/app.py", False),
    ("test_*.py", "tests/test_a.py", False),
    ("docs", "src/docs/x.md", False),
    # `*` and `?` stay inside one segment.
    ("tests/*.py", "tests/unit/test_b.py", False),
    ("?.md", "a.md", True),
    ("?.md", "ab.md", False),
    ("a?c", "a/c", False),
    ("*", "README.md", True),
    # `**` spans segments, none or many.
    ("**", "a/b/c.txt", True),
    ("tests/**", "tests/unit/test_b.py", True),
    ("tests/**", "tests", False),
    ("**/test_*.py", "test_a.py", True),
    ("**/test_*.py", "a/b/test_a.py", True),
    ("src/**/x.py", "src/x.py", True),
    ("src/**/x.py", "src/a/b/x.py", True),
    ("src/**/x.py", "srcx/a/x.py", False),
    # ... also glued to the start of a segment, or to the end of the pattern.
    ("src/**.py", "src/a/b.py", True),
    ("src/**.py", "src/b.py", True),
    ("src/**.py", "lib/b.py", False),
    ("**.md", "docs/x.md", True),
    ("tests**", "tests2/a/b.py", True),
    # A directory, named or matched by a glob, covers everything below it; a trailing `/`
    # names the same paths as the name without it (a file of that name included).
    ("docs", "docs", True),
    ("docs", "docs/a/x.md", True),
    ("docs", "docsx/a.md", False),
    ("docs/", "docs/x.md", True),
    ("docs/", "docs", True),
    ("tests/*", "tests/unit/test_b.py", True),
    ("*/unit", "tests/unit/test_b.py", True),
    ("tests/**/", "tests/unit/test_b.py", True),
    # Every other character is literal: no ranges, negations, comments or escapes.
    ("app/[id]/**", "app/[id]/page.tsx", True),
    ("app/[id]/**", "app/i/page.tsx", False),
    ("!notes.md", "!notes.md", True),
    ("!notes.md", "notes.md", False),
    ("#notes", "#notes", True),
    ("a\\b", "a\\b", True),
    ("a\\*", "a\\x", True),
    ("notes ", "notes ", True),
    ("notes ", "notes", False),
    ("a.md", "a-md", False),
    ("/", "a", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), SEMANTICS)
def test_pattern_semantics(pattern: str, path: str, expected: bool) -> None:
    assert bool(protected_paths([path], [pattern])) is expected
