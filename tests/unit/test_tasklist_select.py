"""SELECT: the first open leaf with its dependencies done and no skipped ancestor."""

import pytest

from devteam_tasklist import parse, select
from devteam_tasklist.selection import select_task

SPEC_EXAMPLE = """\
- [ ] 1.0 Authentication
  - [ ] 1.1 Add a /login endpoint that returns a JWT
    Accepts {"user","password"}; 401 on bad credentials.
  - [x] 1.2 Hash passwords with bcrypt
- [ ] 2.0 Profiles  (depends: 1.0)
  - [ ] 2.1 GET /profile returns the current user
"""


def test_spec_example_picks_the_first_open_leaf() -> None:
    selection = select(parse(SPEC_EXAMPLE))
    assert selection.status == "task"
    assert selection.task is not None
    assert selection.task.id == "1.1"
    # 2.1 is passed over because its parent depends on 1.0, and the selection says so.
    assert [b.task_id for b in selection.blocked] == ["2.1"]
    assert selection.blocked[0].unmet_dependencies == ("1.0",)


def test_parent_done_when_all_leaves_done_unblocks_dependents() -> None:
    text = SPEC_EXAMPLE.replace("- [ ] 1.1", "- [x] 1.1")
    selection = select(parse(text))
    assert selection.task is not None
    assert selection.task.id == "2.1"
    assert selection.blocked == ()


def test_parent_done_when_its_own_box_is_ticked() -> None:
    text = "- [x] 1.0 a\n  - [ ] 1.1 b\n- [ ] 2 c (depends: 1.0)\n"
    selection = select(parse(text))
    # 1.0 is ticked, so 2 may go; 1.1 is an open leaf and comes first in the document.
    assert selection.task is not None
    assert selection.task.id == "1.1"
    assert selection.blocked == ()


def test_parents_are_never_picked() -> None:
    text = "- [ ] 1.0 a\n  - [x] 1.1 b\n- [ ] 2 c\n"
    selection = select(parse(text))
    assert selection.task is not None
    assert selection.task.id == "2"


def test_complete() -> None:
    text = "- [ ] 1.0 a\n  - [x] 1.1 b\n  - [X] 1.2 c\n- [x] 2 d\n"
    selection = select(parse(text))
    assert selection.status == "complete"
    assert selection.task is None
    assert selection.blocked == ()


def test_empty_list_is_complete() -> None:
    assert select(parse("# nothing here\n")).status == "complete"


def test_blocked_by_dependency() -> None:
    text = "- [-] 1 person works on it\n- [ ] 2 b (depends: 1)\n"
    selection = select(parse(text))
    assert selection.status == "blocked"
    first, second = selection.blocked
    assert first.task_id == "1"
    assert first.skipped
    assert first.mark == "-"
    assert second.task_id == "2"
    assert second.unmet_dependencies == ("1",)
    assert selection.reasons == (
        "task 1 (line 1): it is marked [-] (skipped)",
        "task 2 (line 2): it waits for 1 (not done)",
    )
    assert second.reason == "it waits for 1 (not done)"


def test_blocked_by_skipped_ancestor() -> None:
    text = "- [~] 1.0 on hold\n  - [ ] 1.1 a\n    - [ ] 1.1.1 b\n"
    selection = select(parse(text))
    assert selection.status == "blocked"
    (blocked,) = selection.blocked
    assert blocked.task_id == "1.1.1"
    assert blocked.skipped_ancestors == ("1.0",)
    assert not blocked.skipped
    assert "parent task 1.0 is skipped" in blocked.reason


def test_skipped_leaves_keep_the_run_from_completing() -> None:
    selection = select(parse("- [x] 1 a\n- [!] 2 b\n"))
    assert selection.status == "blocked"
    assert selection.blocked[0].skipped


def test_dependency_on_a_parent_with_a_skipped_leaf_is_unmet() -> None:
    text = "- [ ] 1.0 a\n  - [x] 1.1 b\n  - [-] 1.2 c\n- [ ] 2 d (depends: 1.0)\n"
    selection = select(parse(text))
    assert selection.status == "blocked"
    assert [(b.task_id, b.unmet_dependencies) for b in selection.blocked] == [
        ("1.2", ()),
        ("2", ("1.0",)),
    ]


def test_depends_are_inherited_and_combined() -> None:
    text = (
        "- [ ] 1 a\n- [ ] 2 b\n- [ ] 3.0 c (depends: 1)\n  - [ ] 3.1 d (depends: 2, 1)\n- [ ] 4 e\n"
    )
    selection = select(parse(text))
    assert selection.task is not None
    assert selection.task.id == "1"
    assert [(b.task_id, b.unmet_dependencies) for b in selection.blocked] == [("3.1", ("1", "2"))]


def test_document_order_not_id_order() -> None:
    selection = select(parse("- [ ] 9 last id first\n- [ ] 1 first id\n"))
    assert selection.task is not None
    assert selection.task.id == "9"


def test_open_leaf_with_dependency_on_done_task() -> None:
    selection = select(parse("- [x] T-1 a\n- [ ] #2 b (depends: T-1)\n"))
    assert selection.task is not None
    assert selection.task.id == "#2"


def test_a_task_asked_for_by_id_is_given_only_when_select_could_pick_it() -> None:
    tasks = parse(SPEC_EXAMPLE + "- [ ] 3 Write the docs\n")
    assert select_task(tasks, "3").id == "3"  # not the first open leaf, but free to do
    assert select_task(tasks, "1.1").id == "1.1"
    for task_id, why in (("9", "no task 9"), ("1.0", "has sub-tasks"), ("1.2", "done already"),
                         ("2.1", "1.0")):  # fmt: skip
        with pytest.raises(ValueError, match=why):
            select_task(tasks, task_id)
