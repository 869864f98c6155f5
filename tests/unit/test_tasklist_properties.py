"""Properties: any text is handled without surprise, and ticks touch only the boxes they report."""

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devteam_tasklist import TaskList, TaskListError, apply_tick, parse, scan, select, tick

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

_INDENTS = st.sampled_from(["", " ", "  ", "   ", "    ", "\t", " \t", "\t\t", "      "])
_BOXES = st.sampled_from(["[ ]", "[ ]", "[ ]", "[x]", "[X]", "[-]", "[~]", "[]", "[  ]"])
_MARKERS = st.sampled_from(["- ", "* ", "+ ", "-\t", "1. ", "2) ", "-", "> - "])
_IDS = st.sampled_from(["", "1 ", "1.1 ", "1.2 ", "1.0 ", "2 ", "2.1 ", "T-1 ", "#3 ", "4. "])
_WORDS = st.sampled_from(
    [
        *("Do it", "ünï 日本", "x", "(depends: 1)", "(depends: 1.1, 2)", "— verify: make"),
        *("— note", "(owner: me)", "(depends: T-1)", "(verify: f(1))", "`<!--`", "  ", "\t", "—"),
    ]
)
_OTHER_LINES = st.sampled_from(
    [
        *("```", "````", "~~~", "```py", "<!--", "-->", "<!-- x -->", "> quote", "# Heading"),
        *("", "text", "- plain", "---", "\ufeff", "\u2028", "\x00", "[ ]", "- [", "]"),
    ]
)
_ENDINGS = st.sampled_from(["\n", "\n", "\r\n", "\r", ""])


@st.composite
def _task_line(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORDS, max_size=3))
    return draw(_INDENTS) + draw(_MARKERS) + draw(_BOXES) + " " + draw(_IDS) + " ".join(words)


@st.composite
def markdownish(draw: st.DrawFn) -> str:
    lines = draw(
        st.lists(
            st.one_of(_task_line(), _task_line(), st.tuples(_INDENTS, _OTHER_LINES).map("".join)),
            max_size=25,
        )
    )
    return "".join(line + draw(_ENDINGS) for line in lines)


@st.composite
def valid_lists(draw: st.DrawFn) -> str:
    """Task lists without depends markers that point forward, so most of them parse."""
    count = draw(st.integers(min_value=0, max_value=20))
    lines: list[str] = []
    for number in range(1, count + 1):
        indent = "  " * draw(st.integers(min_value=0, max_value=3))
        box = draw(st.sampled_from(["[ ]", "[ ]", "[ ]", "[x]", "[-]"]))
        named = draw(st.booleans())
        title = f"T-{number} task {number}" if named else f"unnamed {number}"
        if named and number > 1 and draw(st.integers(0, 4)) == 0:
            title += f" (depends: T-{draw(st.integers(1, number - 1))})"
        lines.append(f"{indent}- {box} {title}")
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "```", "  body", "<!--", "-->", "> q"])))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + draw(st.sampled_from(["", ending]))


def _parse_or_none(text: str) -> TaskList | None:
    try:
        return parse(text)
    except TaskListError as error:
        problem = error
    assert problem.message
    assert problem.line is None or problem.line >= 1
    return None


def _exercise(text: str) -> None:
    tasklist = _parse_or_none(text)
    if tasklist is None:
        return
    select(tasklist)
    for task in tasklist:
        assert text[task.box_offset] == task.mark
        assert text[task.box_offset - 1] == "["
        assert text[task.box_offset + 1] == "]"
        # Refusals (skipped task, open sub-tasks, duplicate id) are fine; anything else is not.
        with contextlib.suppress(TaskListError):
            tick(text, task.id)


@SETTINGS
@given(st.text())
def test_arbitrary_text_raises_only_tasklist_errors(text: str) -> None:
    _exercise(text)


@SETTINGS
@given(markdownish())
def test_markdownish_text_raises_only_tasklist_errors(text: str) -> None:
    _exercise(text)


def _check_tick_of_selected(text: str) -> None:
    tasklist = _parse_or_none(text)
    if tasklist is None:
        return
    selection = select(tasklist)
    if selection.task is None:
        return
    result = apply_tick(text, selection.task.id)
    assert result.ticked[0] == selection.task.id
    changed = [
        (index, old, new)
        for index, (old, new) in enumerate(zip(text, result.text, strict=True))
        if old != new
    ]
    assert len(result.text) == len(text)
    assert [index for index, _, _ in changed] == sorted(
        tasklist[task_id].box_offset for task_id in result.ticked
    )
    assert all(old == " " and new == "x" for _, old, new in changed)
    after = parse(result.text)
    assert [(t.id, t.line, t.parent, t.title, t.body) for t in after] == [
        (t.id, t.line, t.parent, t.title, t.body) for t in tasklist
    ]
    assert after.is_done(selection.task.id)


@SETTINGS
@given(markdownish())
def test_tick_of_selected_changes_exactly_the_reported_boxes(text: str) -> None:
    _check_tick_of_selected(text)


@SETTINGS
@given(valid_lists())
def test_tick_of_selected_in_valid_lists(text: str) -> None:
    _check_tick_of_selected(text)


def _run_to_the_end(text: str) -> None:
    tasklist = _parse_or_none(text)
    if tasklist is None:
        return
    for _ in range(len(tasklist) + 1):
        selection = select(tasklist)
        if selection.task is None:
            assert selection.status in ("complete", "blocked")
            if selection.status == "complete":
                assert all(tasklist.is_done(t.id) for t in tasklist.leaves())
            else:
                assert selection.blocked
            return
        text = tick(text, selection.task.id)
        tasklist = parse(text)
    raise AssertionError("selecting and ticking did not terminate within len(tasks) rounds")


@SETTINGS
@given(markdownish())
def test_ticking_every_selected_task_terminates(text: str) -> None:
    _run_to_the_end(text)


@SETTINGS
@given(valid_lists())
def test_ticking_every_selected_task_terminates_in_valid_lists(text: str) -> None:
    _run_to_the_end(text)


def _structure(tasklist: TaskList) -> list[tuple[object, ...]]:
    """What a tick reads from a task list: everything but titles, bodies and markers."""
    fields = ("id", "id_derived", "state", "mark", "depth", "line", "parent", "children")
    fields += ("box_offset", "indent")
    return [tuple(getattr(t, name) for name in fields) for t in tasklist]


def _check_structure_only_scan(text: str) -> None:
    tasklist = _parse_or_none(text)
    if tasklist is None:
        return
    lean = scan(text, structure_only=True)
    assert _structure(lean) == _structure(tasklist)
    assert lean.notices == tasklist.notices
    assert all((t.title, t.body, t.markers) == ("", "", ()) for t in lean)


@SETTINGS
@given(markdownish())
def test_structure_only_scan_agrees_with_parse(text: str) -> None:
    _check_structure_only_scan(text)


@SETTINGS
@given(valid_lists())
def test_structure_only_scan_agrees_with_parse_in_valid_lists(text: str) -> None:
    _check_structure_only_scan(text)
