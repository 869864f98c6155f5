"""Protected path globs (pure)."""

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
