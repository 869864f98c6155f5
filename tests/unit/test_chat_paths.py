"""Which paths a task's text names (pure); accounting as the driver writes it (pure)."""

from devteam_aider import parse_accounting
from devteam_aider.settings_files import ignore_pattern
from devteam_implement.chatfiles import named_paths


def paths(text: str) -> list[tuple[str, bool]]:
    return [(n.path, n.backticked) for n in named_paths(text)]


def test_paths_in_titles_and_bodies() -> None:
    text = (
        "Add an `add(a, b)` function to `calc.py`.\n"
        "Cover it in tests/test_add.py, see docs/api.md, e.g. like v1.2 did in 3.5 s.\n"
    )
    # Candidates only: `e.g` looks like a file name; whether it is one, the tree decides.
    assert paths(text) == [
        ("calc.py", True),
        ("tests/test_add.py", False),
        ("docs/api.md", False),
        ("e.g", False),
    ]


def test_urls_absolute_paths_and_parent_references_are_not_repository_paths() -> None:
    text = (
        "See https://example.com/x/index.html and /etc/passwd, ../secret.txt, ~/.env, $HOME/a.txt"
    )
    assert paths(text) == []


def test_traceback_lines_name_their_files() -> None:
    text = 'tests/test_add.py:5: AssertionError\n  File "calc.py", line 3, in add'
    assert [p for p, _ in paths(text)] == ["tests/test_add.py", "calc.py"]


def test_ignore_patterns_match_exactly_one_path() -> None:
    assert ignore_pattern("tasks_list.md") == "/tasks_list.md"
    assert ignore_pattern("docs/[draft]*.md") == "/docs/\\[draft\\]\\*.md"


def test_accounting_is_parsed_strictly_and_leniently() -> None:
    raw = {
        "v": 1,
        "calls": [
            {"kind": "edit", "ok": True, "duration_s": 0.5, "prompt_tokens": 10,
             "completion_tokens": 2, "reported_cost": None},
            {"kind": "edit", "ok": False, "duration_s": "x", "http_status": 500,
             "error_type": "InternalServerError"},
            "not a call",
        ],
        "malformed_responses": 1,
        "edited_files": ["a.py", 3],
        "crashed": None,
    }  # fmt: skip
    acc = parse_accounting(raw)
    assert acc is not None
    assert [c.ok for c in acc.calls] == [True, False]
    assert acc.calls[1].duration_s == 0.0 and acc.calls[1].http_status == 500
    assert (acc.edit_requests, acc.prompt_tokens, acc.malformed_responses) == (1, 10, 1)
    assert acc.edited_files == ["a.py"]
    assert parse_accounting({"v": 2}) is None
    assert parse_accounting([]) is None
