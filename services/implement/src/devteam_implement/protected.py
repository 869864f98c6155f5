"""Protected paths (`protected = ["tests/**"]`): globs the implementer may not change."""

import re
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a path glob: `*` and `?` stay inside one path segment, `**` spans segments, and
    a pattern ending in `/` (or naming a directory) covers everything below it."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out).rstrip("/")
    return re.compile(f"^{body}(?:/.*)?$")


def protected_paths(paths: Iterable[str], patterns: Iterable[str]) -> list[str]:
    """The paths matched by any protected pattern."""
    compiled = [glob_regex(p) for p in patterns]
    return [path for path in paths if any(rx.match(path) for rx in compiled)]
