"""Protected paths (`protected = ["tests/**"]`): globs the implementer may not change.

The globs are matched by `pathspec`'s gitignore patterns, with our meaning kept: `*` and `?`
stay inside one path segment, `**` spans segments, every other character is literal, a
pattern is anchored at the repository's root (`*.py` is the top level's Python files only),
and a pattern ending in `/` (or naming a directory) covers everything below it.
"""

import re
from collections.abc import Iterable
from functools import lru_cache

from pathspec import PathSpec
from pathspec.patterns.gitignore.basic import GitIgnoreBasicPattern

# `**` opening a segment but glued to what follows (`src/**.py`) spans segments here; to
# gitignore it is a plain `*`, so it becomes the segment of its own that gitignore reads
# (`src/**/*.py` matches the same paths).
_LEADING_STARS = re.compile(r"(?:^|(?<=/))\*\*(?=[^*/])")
# `**` closing the pattern glued to what precedes it (`tests**`): a `*` matches the same
# paths, since whatever a pattern matches covers what is below it.
_TRAILING_STARS = re.compile(r"(?<=[^*/])\*\*$")
# Characters gitignore reads as syntax, taken literally here. Whitespace goes in brackets:
# gitignore drops it at the end of a pattern even when escaped (a space aside).
_SPECIAL = re.compile(r"[\\\[\]!#]|\s")


def _literal(char: re.Match[str]) -> str:
    return f"[{char[0]}]" if char[0].isspace() else f"\\{char[0]}"


def _gitignore_lines(pattern: str) -> list[str]:
    """The gitignore patterns that match the paths `pattern` protects: anchored at the root
    (a leading `/`), `[`, `!`, `#`, `\\` and the rest literal, each pattern once as itself
    and once as a directory (`dir/*` alone would not cover `dir/sub/file`). No lines for
    a pattern of slashes only, which protects no path."""
    body = _TRAILING_STARS.sub("*", _LEADING_STARS.sub("**/*", pattern)).rstrip("/")
    if not body:
        return []
    escaped = _SPECIAL.sub(_literal, body)
    return [f"/{escaped}", f"/{escaped}/"]


@lru_cache(maxsize=256)
def _spec(patterns: tuple[str, ...]) -> PathSpec[GitIgnoreBasicPattern]:
    return PathSpec.from_lines(
        "gitignore", [line for p in patterns for line in _gitignore_lines(p)]
    )


def protected_paths(paths: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """The paths matched by any protected pattern."""
    spec = _spec(tuple(patterns))
    return [path for path in paths if spec.match_file(path)]
