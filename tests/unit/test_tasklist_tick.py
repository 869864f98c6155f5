"""COMPLETE: ticking changes the box of the task (and of parents it completes) and nothing else."""

import pytest

from devteam_tasklist import (
    DuplicateIdError,
    TaskStateError,
    UnknownTaskError,
    apply_tick,
    parse,
    plan_tick,
    select,
    tick,
)


def diff(before: str, after: str) -> list[tuple[int, str, str]]:
    assert len(before) == len(after)
    return [(i, a, b) for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]


def test_tick_changes_one_character() -> None:
    text = "- [ ] 1 a\n- [ ] 2 b\n"
    after = tick(text, "2")
    assert after == "- [ ] 1 a\n- [x] 2 b\n"
    assert diff(text, after) == [(13, " ", "x")]


def test_tick_completes_parents_recursively() -> None:
    text = "- [ ] 1.0 a\n  - [ ] 1.1 b\n    - [ ] 1.1.1 c\n  - [x] 1.2 d\n- [ ] 2 e\n"
    result = apply_tick(text, "1.1.1")
    assert result.ticked == ("1.1.1", "1.1", "1.0")
    assert result.changed
    assert (
        result.text == "- [x] 1.0 a\n  - [x] 1.1 b\n    - [x] 1.1.1 c\n  - [x] 1.2 d\n- [ ] 2 e\n"
    )


def test_tick_leaves_parent_open_while_other_leaves_are_open() -> None:
    text = "- [ ] 1.0 a\n  - [ ] 1.1 b\n  - [ ] 1.2 c\n"
    result = apply_tick(text, "1.1")
    assert result.ticked == ("1.1",)
    assert result.text == "- [ ] 1.0 a\n  - [x] 1.1 b\n  - [ ] 1.2 c\n"


def test_tick_does_not_overwrite_a_persons_mark_on_a_parent() -> None:
    text = "- [ ] 1 top\n  - [~] 1.1 group\n    - [ ] 1.1.1 leaf\n"
    result = apply_tick(text, "1.1.1")
    # 1.1 is done by its leaves but keeps its [~]; 1 is completed through it.
    assert result.ticked == ("1.1.1", "1")
    assert result.text == "- [x] 1 top\n  - [~] 1.1 group\n    - [x] 1.1.1 leaf\n"


def test_tick_stops_at_an_already_ticked_parent() -> None:
    text = "- [ ] 1 top\n  - [x] 1.1 group\n    - [ ] 1.1.1 leaf\n  - [ ] 1.2 other\n"
    assert apply_tick(text, "1.1.1").ticked == ("1.1.1",)


def test_tick_is_idempotent() -> None:
    text = "- [ ] 1.0 a\n  - [ ] 1.1 b\n"
    once = tick(text, "1.1")
    again = apply_tick(once, "1.1")
    assert again.text == once
    assert again.ticked == ()
    assert not again.changed
    assert tick("- [X] 1 a\n", "1") == "- [X] 1 a\n"


def test_tick_preserves_crlf_bom_tabs_trailing_spaces_and_missing_newline() -> None:
    text = "\ufeff# Tâches  \r\n-\t[ ] 1 ünï\t \r\n\t- [ ] 1.1 b  \r- [ ] 2 c"
    after = tick(text, "1.1")
    assert [(a, b) for _, a, b in diff(text, after)] == [(" ", "x"), (" ", "x")]
    assert after == "\ufeff# Tâches  \r\n-\t[x] 1 ünï\t \r\n\t- [x] 1.1 b  \r- [ ] 2 c"
    assert tick(after, "2").endswith("- [x] 2 c")


def test_tick_open_parent_whose_leaves_are_all_done() -> None:
    text = "- [ ] 1.0 a\n  - [x] 1.1 b\n"
    assert apply_tick(text, "1.0").ticked == ("1.0",)


def test_tick_parent_with_open_sub_tasks_is_refused() -> None:
    with pytest.raises(TaskStateError) as info:
        tick("- [ ] 1.0 a\n  - [ ] 1.1 b\n", "1.0")
    assert info.value.line == 1
    assert "1.1" in info.value.message


def test_tick_skipped_task_is_refused() -> None:
    with pytest.raises(TaskStateError) as info:
        tick("- [ ] 1 a\n- [-] 2 b\n", "2")
    assert info.value.line == 2
    assert "[-]" in info.value.message


def test_tick_unknown_id() -> None:
    with pytest.raises(UnknownTaskError) as info:
        tick("- [ ] 1 a\n", "7")
    assert info.value.line is None
    assert "'7'" in str(info.value)


def test_tick_with_duplicate_ids_is_refused() -> None:
    with pytest.raises(DuplicateIdError):
        tick("- [ ] 1 a\n- [ ] 1 b\n", "1")


def test_tick_ignores_dependency_errors() -> None:
    # A tick only needs ids and boxes; dependency problems are SELECT's to report.
    assert tick("- [ ] 1 a (depends: 9)\n", "1") == "- [x] 1 a (depends: 9)\n"


def test_tick_derived_id() -> None:
    assert tick("- [ ] a\n- [ ] b\n", "2") == "- [ ] a\n- [x] b\n"


def test_checkbox_in_fence_is_untouched() -> None:
    text = "```\n- [ ] 1 fake\n```\n- [ ] 1 real\n"
    assert tick(text, "1") == "```\n- [ ] 1 fake\n```\n- [x] 1 real\n"


def test_plan_tick_matches_apply_tick() -> None:
    text = "- [ ] 1.0 a\n  - [ ] 1.1 b\n"
    assert plan_tick(parse(text), "1.1") == apply_tick(text, "1.1").ticked == ("1.1", "1.0")


def test_spec_example_runs_to_completion() -> None:
    text = """\
- [ ] 1.0 Authentication
  - [ ] 1.1 Add a /login endpoint that returns a JWT
    Accepts {"user","password"}; 401 on bad credentials.
  - [x] 1.2 Hash passwords with bcrypt
- [ ] 2.0 Profiles  (depends: 1.0)
  - [ ] 2.1 GET /profile returns the current user
"""
    order = []
    while (selection := select(parse(text))).task is not None:
        order.append(selection.task.id)
        text = tick(text, selection.task.id)
    assert selection.status == "complete"
    assert order == ["1.1", "2.1"]
    assert text.count("[x]") == 5
