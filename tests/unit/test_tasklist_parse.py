"""Parsing tasks_list.md: structure, ids, states, markers, bodies and errors with line numbers."""

import pytest

from devteam_tasklist import (
    DependencyCycleError,
    DuplicateIdError,
    TaskListError,
    UnknownDependencyError,
    UnknownTaskError,
    parse,
)

SPEC_EXAMPLE = """\
- [ ] 1.0 Authentication
  - [ ] 1.1 Add a /login endpoint that returns a JWT
    Accepts {"user","password"}; 401 on bad credentials.
  - [x] 1.2 Hash passwords with bcrypt
- [ ] 2.0 Profiles  (depends: 1.0)
  - [ ] 2.1 GET /profile returns the current user
"""


def test_spec_example() -> None:
    tl = parse(SPEC_EXAMPLE)
    assert [t.id for t in tl] == ["1.0", "1.1", "1.2", "2.0", "2.1"]
    auth, login, bcrypt, profiles, get = tl.tasks
    assert auth.children == ("1.1", "1.2")
    assert not auth.is_leaf
    assert login.parent == "1.0"
    assert login.depth == 1
    assert login.is_leaf
    assert login.title == "Add a /login endpoint that returns a JWT"
    assert login.body == '    Accepts {"user","password"}; 401 on bad credentials.'
    assert bcrypt.state == "done"
    assert bcrypt.mark == "x"
    assert profiles.title == "Profiles"
    assert profiles.depends == ("1.0",)
    assert get.parent == "2.0"
    assert [t.line for t in tl] == [1, 2, 4, 5, 6]
    assert not any(t.id_derived for t in tl)
    assert tl.notices == ()


def test_box_offsets_point_at_the_box() -> None:
    tl = parse(SPEC_EXAMPLE)
    for task in tl:
        assert SPEC_EXAMPLE[task.box_offset] == task.mark
        assert SPEC_EXAMPLE[task.box_offset - 1] == "["
        assert SPEC_EXAMPLE[task.box_offset + 1] == "]"


def test_prd_style_list_with_headings_and_prose() -> None:
    text = """\
# Tasks

## Relevant Files

- `app/auth.py` - login endpoint
- `tests/test_auth.py` - tests

## Tasks

- [ ] 1.0 Parent task
  - [ ] 1.1 Sub-task
  - [ ] 1.2 Sub-task
- [ ] 2.0 Parent task
  - [ ] 2.1 Sub-task
"""
    tl = parse(text)
    assert [(t.id, t.parent) for t in tl] == [
        ("1.0", None),
        ("1.1", "1.0"),
        ("1.2", "1.0"),
        ("2.0", None),
        ("2.1", "2.0"),
    ]


def test_markers_star_and_plus_and_deep_nesting() -> None:
    tl = parse("* [ ] 1 a\n    + [ ] 1.1 b\n        - [ ] 1.1.1 c\n")
    assert [(t.id, t.depth, t.parent) for t in tl] == [
        ("1", 0, None),
        ("1.1", 1, "1"),
        ("1.1.1", 2, "1.1"),
    ]


@pytest.mark.parametrize(
    ("title", "expected_id", "expected_title"),
    [
        ("1 Setup", "1", "Setup"),
        ("1.2 Setup", "1.2", "Setup"),
        ("1.2.3 Setup", "1.2.3", "Setup"),
        ("1.0 Setup", "1.0", "Setup"),
        ("T-12 Setup", "T-12", "Setup"),
        ("#12 Setup", "#12", "Setup"),
        ("3. Setup", "3", "Setup"),
        ("T-7: Setup", "T-7", "Setup"),
        ("4.1", "4.1", ""),
    ],
)
def test_explicit_ids(title: str, expected_id: str, expected_title: str) -> None:
    (task,) = parse(f"- [ ] {title}\n").tasks
    assert task.id == expected_id
    assert not task.id_derived
    assert task.title == expected_title


@pytest.mark.parametrize("title", ["3D printing", "Setup 1.2", "v1.2 release", "#x tag", "1.2x"])
def test_titles_without_an_id(title: str) -> None:
    (task,) = parse(f"- [ ] {title}\n").tasks
    assert task.id_derived
    assert task.title == title


def test_derived_ids_follow_the_tree_and_are_reported() -> None:
    text = "- [ ] Alpha\n  - [ ] Beta\n  - [ ] Gamma\n- [ ] Delta\n  - [ ] Epsilon\n"
    tl = parse(text)
    assert [t.id for t in tl] == ["1", "1.1", "1.2", "2", "2.1"]
    assert all(t.id_derived for t in tl)
    assert tl["1.2"].title == "Gamma"
    assert [n.line for n in tl.notices] == [1, 2, 3, 4, 5]
    assert "'1.2'" in str(tl.notices[2])


def test_derived_id_never_collides_with_an_explicit_one() -> None:
    tl = parse("- [ ] 2 Explicit two\n- [ ] unnamed second item\n")
    assert [t.id for t in tl] == ["2", "~2"]
    assert tl["~2"].id_derived


def test_mixed_explicit_and_derived_children() -> None:
    tl = parse("- [ ] 1.0 Parent\n  - [ ] 1.1 named\n  - [ ] unnamed\n")
    assert [t.id for t in tl] == ["1.0", "1.1", "1.2"]
    assert tl["1.2"].parent == "1.0"
    assert tl["1.2"].id_derived


@pytest.mark.parametrize(
    ("box", "state"),
    [
        (" ", "open"),
        ("x", "done"),
        ("X", "done"),
        ("-", "skipped"),
        ("~", "skipped"),
        ("!", "skipped"),
        ("/", "skipped"),
        ("\t", "skipped"),
    ],
)
def test_states(box: str, state: str) -> None:
    (task,) = parse(f"- [{box}] 1 thing\n").tasks
    assert task.state == state
    assert task.mark == box


@pytest.mark.parametrize(
    "line",
    [
        "- [] 1 empty box",
        "- [  ] 1 two spaces",
        "-[ ] 1 no space after marker",
        "- [ ]1 no space after box",
        "- [xx] 1 two chars",
        "[ ] 1 no marker",
        "1. [ ] 1 ordered",
        "1) [ ] 1 ordered",
        "- plain item",
    ],
)
def test_not_tasks(line: str) -> None:
    assert parse(line + "\n").tasks == ()


def test_checkbox_without_title() -> None:
    (task,) = parse("- [ ]\n").tasks
    assert task.title == ""
    assert task.id == "1"
    assert task.id_derived


def test_ordered_checkbox_items_are_reported() -> None:
    tl = parse("Intro\n\n1. [ ] first\n2) [x] second\n")
    assert tl.tasks == ()
    assert [n.line for n in tl.notices] == [3, 4]
    assert "'-'" in tl.notices[0].message


def test_fenced_code_is_ignored() -> None:
    text = """\
- [ ] 1 real
```markdown
- [ ] 2 in a fence
~~~
- [ ] 3 still in the backtick fence
```
~~~~
- [ ] 4 tilde fence
~~~
- [ ] 5 still in the tilde fence, the closer was too short
~~~~~
- [ ] 6 real
"""
    assert [t.id for t in parse(text)] == ["1", "6"]


def test_indented_fence_in_a_task_body() -> None:
    text = """\
- [ ] 1 Write the handler
  Example:
    ```python
def handler():
- [ ] 9 not a task
    ```
- [ ] 2 next
"""
    tl = parse(text)
    assert [t.id for t in tl] == ["1", "2"]
    assert tl["1"].body.splitlines() == [
        "  Example:",
        "    ```python",
        "def handler():",
        "- [ ] 9 not a task",
        "    ```",
    ]


def test_inline_backticks_do_not_open_a_fence() -> None:
    tl = parse("```inline``` code\n- [ ] 1 real\n")
    assert [t.id for t in tl] == ["1"]


def test_unclosed_fence_hides_the_rest_like_a_renderer() -> None:
    assert [t.id for t in parse("- [ ] 1 a\n```\n- [ ] 2 b\n")] == ["1"]


def test_html_comments_are_ignored() -> None:
    text = """\
<!--
- [ ] 1 commented out
-->
- [ ] 2 real <!-- an inline note -->
<!-- - [ ] 3 one-line comment -->
  <!-- indented
  - [ ] 4 hidden
  -->
- [ ] 5 real
"""
    assert [t.id for t in parse(text)] == ["2", "5"]


def test_inline_comment_opener_does_not_hide_following_items() -> None:
    tl = parse("- [ ] 1 support `<!--` in titles\n- [ ] 2 next\n")
    assert [t.id for t in tl] == ["1", "2"]


def test_block_quotes_are_ignored() -> None:
    text = "> - [ ] 1 quoted\n>> - [ ] 2 nested quote\n  > - [ ] 3 indented quote\n- [ ] 4 real\n"
    assert [t.id for t in parse(text)] == ["4"]


def test_body_collects_prose_and_plain_sub_items_verbatim() -> None:
    text = (
        "- [ ] 1 Parent\n"
        "  Why: because.\n"
        "\n"
        "  - note one\n"
        "    more about note one\n"
        "  - [ ] 1.1 Child\n"
        "    child body\n"
        "  Back to the parent.   \n"
        "\n"
        "# Heading\n"
        "Not in any body.\n"
    )
    tl = parse(text)
    assert tl["1"].body == (
        "  Why: because.\n\n  - note one\n    more about note one\n  Back to the parent.   "
    )
    assert tl["1.1"].body == "    child body"


def test_lazy_continuation_line_belongs_to_the_task() -> None:
    tl = parse("- [ ] 1 Do this\nbecause of that\n- [ ] 2 next\n\nAfter the list.\n")
    assert tl["1"].body == "because of that"
    assert tl["2"].body == ""


def test_heading_ends_nesting() -> None:
    tl = parse("- [ ] 1 a\n# Section\n  - [ ] 2 b\n")
    assert tl["2"].parent is None
    assert tl["2"].depth == 0


def test_parent_is_nearest_previous_item_with_smaller_indentation() -> None:
    text = "- [ ] 1 a\n    - [ ] 1.1 b\n  - [ ] 1.2 c\n      - [ ] 1.2.1 d\n   - [ ] 1.2.2 e\n"
    tl = parse(text)
    assert [(t.id, t.parent) for t in tl] == [
        ("1", None),
        ("1.1", "1"),
        ("1.2", "1"),
        ("1.2.1", "1.2"),
        ("1.2.2", "1.2"),
    ]


def test_tabs_expand_to_four_columns() -> None:
    text = "- [ ] 1 a\n\t- [ ] 1.1 b\n    - [ ] 1.2 c\n  \t- [ ] 1.2.1 d\n\t\t- [ ] 1.2.2 e\n"
    tl = parse(text)
    # "  \t" reaches column 4 like "\t" and "    ": siblings, not a child of 1.2.
    assert [(t.id, t.parent) for t in tl] == [
        ("1", None),
        ("1.1", "1"),
        ("1.2", "1"),
        ("1.2.1", "1"),
        ("1.2.2", "1.2.1"),
    ]
    assert tl["1.2.2"].indent == 8


def test_tab_after_marker_and_in_title() -> None:
    (task,) = parse("-\t[ ]\t1.1\tTabbed\ttitle\n").tasks
    assert task.id == "1.1"
    assert task.title == "Tabbed\ttitle"


def test_line_endings_bom_and_missing_final_newline() -> None:
    text = "\ufeff- [ ] 1 a\r\n  - [ ] 1.1 b\r    body\n- [x] 2 c"
    tl = parse(text)
    assert [(t.id, t.line) for t in tl] == [("1", 1), ("1.1", 2), ("2", 4)]
    assert tl["1.1"].body == "    body"
    for task in tl:
        assert text[task.box_offset] == task.mark


def test_unicode_titles() -> None:
    text = "- [ ] 1 Ünïcödé 日本語 ✓ émoji 🎉\n- [ ] \uff12 full-width digit is not an id\n"
    tl = parse(text)
    assert tl["1"].title == "Ünïcödé 日本語 ✓ émoji 🎉"
    assert tl["2"].id_derived
    assert tl["2"].title.startswith("\uff12")


def test_unicode_line_separators_are_not_line_breaks() -> None:
    tl = parse("- [ ] 1 a\u2028- [ ] 2 b\x0c\n")
    assert [t.id for t in tl] == ["1"]
    assert tl["1"].title == "a\u2028- [ ] 2 b\x0c"


@pytest.mark.parametrize(
    ("rest", "title", "depends", "verify"),
    [
        ("2 Profiles  (depends: 1)", "Profiles", ("1",), ()),
        ("2 Profiles (depends: 1, 3)", "Profiles", ("1", "3"), ()),
        ("2 Profiles (Depends:1 3)", "Profiles", ("1", "3"), ()),
        ("2 Profiles — depends: 1", "Profiles", ("1",), ()),
        ("2 Profiles — depends: 1 — verify: pytest -q", "Profiles", ("1",), ("pytest -q",)),
        ("2 Profiles (depends: 1) (verify: make check)", "Profiles", ("1",), ("make check",)),
        ("2 Profiles (depends: 1; verify: make x)", "Profiles", ("1",), ("make x",)),
        ('2 P (verify: python -c "print(1)")', "P", (), ('python -c "print(1)"',)),
        ("2 Profiles (owner: ann) (depends: 1)", "Profiles", ("1",), ()),
        ("2 Profiles — the hard part", "Profiles — the hard part", (), ()),
        ("2 Profiles (see https://x.y/z)", "Profiles (see https://x.y/z)", (), ()),
        ("2 Meet at (10:30)", "Meet at (10:30)", (), ()),
        ("2 Profiles (depends: 1) and more", "Profiles (depends: 1) and more", (), ()),
    ],
)
def test_markers(rest: str, title: str, depends: tuple[str, ...], verify: tuple[str, ...]) -> None:
    tl = parse(f"- [ ] 1 one\n- [ ] 3 three\n- [ ] {rest}\n")
    task = tl["2"]
    assert task.title == title
    assert task.depends == depends
    assert task.verify == verify


def test_several_verify_markers_are_all_kept() -> None:
    (task,) = parse("- [ ] 1 a (verify: make lint) (verify: make test)\n").tasks
    assert task.verify == ("make lint", "make test")


def test_unknown_markers_are_kept() -> None:
    (task,) = parse("- [ ] 1 Thing (owner: ann) — estimate: 2h\n").tasks
    assert task.title == "Thing"
    assert task.markers == (("owner", "ann"), ("estimate", "2h"))


def test_lookup() -> None:
    tl = parse(SPEC_EXAMPLE)
    assert "1.1" in tl
    assert tl.get("9") is None
    assert tl["2.1"].title.startswith("GET")
    assert [t.id for t in tl.ancestors("1.1")] == ["1.0"]
    assert [t.id for t in tl.leaves()] == ["1.1", "1.2", "2.1"]
    with pytest.raises(UnknownTaskError) as info:
        tl["9"]
    assert isinstance(info.value, KeyError)
    assert "'9'" in str(info.value)


def test_empty_and_prose_only() -> None:
    assert parse("").tasks == ()
    assert parse("# Just a heading\n\nSome text.\n").tasks == ()


def test_duplicate_id_names_both_lines() -> None:
    with pytest.raises(DuplicateIdError) as info:
        parse("- [ ] 1.0 a\n- [ ] 1.1 b\n\n- [ ] 1.0 c\n")
    assert info.value.line == 4
    assert info.value.lines == (1, 4)
    assert "'1.0'" in str(info.value)
    assert str(info.value).startswith("line 4:")


def test_unknown_dependency_names_the_line_and_suggests() -> None:
    with pytest.raises(UnknownDependencyError) as info:
        parse("- [ ] 1.0 a\n- [ ] 2.0 b (depends: 1.00)\n")
    assert info.value.line == 2
    assert info.value.dependency == "1.00"
    assert "1.0" in info.value.message
    assert isinstance(info.value, TaskListError)


def test_dependency_on_a_derived_id() -> None:
    tl = parse("- [ ] first\n- [ ] second (depends: 1)\n")
    assert tl["2"].depends == ("1",)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("- [ ] 1 a (depends: 1)\n", (1,)),
        ("- [ ] 1 a (depends: 2)\n- [ ] 2 b (depends: 1)\n", (1, 2)),
        ("- [ ] 1 a (depends: 3)\n- [ ] 2 b (depends: 1)\n- [ ] 3 c (depends: 2)\n", (1, 2, 3)),
        # a sub-task waiting for its own parent, and a parent waiting for its own sub-task
        ("- [ ] 1.0 a\n  - [ ] 1.1 b (depends: 1.0)\n", (1, 2)),
        ("- [ ] 1.0 a (depends: 1.1)\n  - [ ] 1.1 b\n", (1, 2)),
    ],
)
def test_cycles(text: str, lines: tuple[int, ...]) -> None:
    with pytest.raises(DependencyCycleError) as info:
        parse(text)
    assert info.value.lines == lines
    assert info.value.line == lines[0]
    assert "depends on" in info.value.message


def test_cycle_check_ignores_box_states() -> None:
    with pytest.raises(DependencyCycleError):
        parse("- [x] 1 a (depends: 2)\n- [x] 2 b (depends: 1)\n")


def test_no_cycle_for_dependency_between_groups() -> None:
    text = "- [ ] 1.0 a\n  - [ ] 1.1 b\n- [ ] 2.0 c (depends: 1.0)\n  - [ ] 2.1 d (depends: 1.1)\n"
    assert len(parse(text)) == 4


MIXED_MARKDOWN = (
    "\ufeff# Tasks\r\n"
    "- [ ] 1.0 Parent (depends: 2)\r\n"
    "  Context line\n"
    "lazy continuation\r"
    "  - [x] 1.1: Done child\n"
    "\t- [-] 1.2) Skipped child \u2014 verify: make test\n"
    "  ```\n"
    "  - [ ] not a task\n"
    "  ```\n"
    "<!--\n"
    "- [ ] hidden\n"
    "-->\n"
    "> - [ ] quoted\n"
    "1. [ ] numbered\n"
    "- [ ] no id here\n"
    "  - [ ] nor here\n"
    "- [ ] 2 Last, without a final newline"
)


def test_mixed_markdown_with_every_line_ending_and_a_bom() -> None:
    tl = parse(MIXED_MARKDOWN)
    # The tab reaches column 4, past 1.1's column 2; "2" is taken, so the derived id is "~2".
    assert [(t.id, t.parent, t.line) for t in tl] == [
        ("1.0", None, 2),
        ("1.1", "1.0", 5),
        ("1.2", "1.1", 6),
        ("~2", None, 15),
        ("2.1", "~2", 16),
        ("2", None, 17),
    ]
    assert [t.id_derived for t in tl] == [False, False, False, True, True, False]
    assert tl["1.0"].depends == ("2",)
    assert tl["1.0"].body == ("  Context line\nlazy continuation\n  ```\n  - [ ] not a task\n  ```")
    assert tl["1.1"].title == "Done child"
    assert tl["1.2"].title == "Skipped child"
    assert tl["1.2"].verify == ("make test",)
    assert [t.state for t in tl] == ["open", "done", "skipped", "open", "open", "open"]
    for task in tl:
        assert MIXED_MARKDOWN[task.box_offset - 1 : task.box_offset + 2] == f"[{task.mark}]"
    assert [notice.line for notice in tl.notices] == [14, 15, 16]
