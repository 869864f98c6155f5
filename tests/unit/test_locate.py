"""Finding the files a task needs when it does not name them (`devteam_implement.locate`) and
how the chat's files record why each was chosen (`chatfiles`)."""

from pathlib import Path

from devteam_implement import locate
from devteam_implement.chatfiles import chat_files

STOCK = '''"""Stock levels per SKU in the warehouse."""


def reorder_quantity(level: int, reorder_point: int, target: int) -> int:
    """How many units to order when the level falls to the reorder point."""
    return max(target - level, 0) if level <= reorder_point else 0
'''
REPORTS = '''"""Text reports for the warehouse manager."""


def stock_report(levels: dict[str, int]) -> str:
    """One line per SKU with its level."""
    return "\\n".join(f"{sku}: {n}" for sku, n in sorted(levels.items()))
'''
SKU_TEST = "from inventory.skus import normalize_sku\n\n\ndef test_strips():\n    assert normalize_sku(' a-1 ') == 'A-1'\n"  # noqa: E501
REPO = {
    "inventory/__init__.py": "",
    "inventory/stock.py": STOCK,
    "inventory/reports.py": REPORTS,
    "tests/test_stock.py": "from inventory.stock import reorder_quantity\n\n\n"
    "def test_orders_up_to_target():\n    assert reorder_quantity(2, 5, 10) == 8\n",
    "README.md": "# inventory\n",
}


def test_words_split_identifiers_cut_endings_and_drop_common_words() -> None:
    assert locate.words("Let `reorderQuantity` respect the supplier_minimums") == [
        "reorder", "quantity", "respect", "supplier", "minimum"
    ]  # fmt: skip
    assert locate.words("the discounts, totals and categories") == ["discount", "total", "category"]


def test_test_files_are_told_from_sources_by_their_conventions() -> None:
    tests = ["tests/test_a.py", "pkg/a_test.py", "src/a.test.js", "web/__tests__/a.js", "a.spec.ts"]
    assert all(locate.is_test(p) for p in tests)
    assert not any(locate.is_test(p) for p in ["pkg/testing_tools.py", "src/attest.js"])


def test_a_test_points_at_the_modules_it_imports_existing_or_not() -> None:
    files = [*REPO, "inventory/skus.py"]
    assert locate.imported("tests/test_stock.py", REPO["tests/test_stock.py"], files) == [
        "inventory/stock.py"
    ]
    assert locate.imported("tests/test_sku.py", SKU_TEST, REPO) == ["inventory/skus.py"]
    js = "const { sum } = require('../src/tally');\nimport x from './helpers/util';\n"
    assert locate.imported("test/a.test.js", js, ["src/tally.js"]) == [
        "src/tally.js", "test/helpers/util.js"
    ]  # fmt: skip


def test_the_module_that_defines_what_the_task_names_ranks_first() -> None:
    ranked = locate.rank(REPO, "Let `reorder_quantity` respect the supplier's minimum order")
    assert ranked[0].path == "inventory/stock.py" and not ranked[0].test
    assert ranked[0].score >= locate.DEFINES_BONUS


def test_words_alone_find_the_module_about_them() -> None:
    ranked = locate.rank(REPO, "The manager's report should list SKUs below their level")
    assert ranked[0].path == "inventory/reports.py"


def test_a_visible_test_for_a_module_not_written_yet_proposes_creating_it() -> None:
    files = {**REPO, "tests/test_sku_format.py": SKU_TEST}
    ranked = locate.rank(files, "Normalize SKU codes: strip spaces and uppercase them")
    top = next(r for r in ranked if not r.test)
    assert (top.path, top.new) == ("inventory/skus.py", True)


def test_choose_keeps_the_best_few_within_the_budget_and_nothing_below_the_floor() -> None:
    ranked = [
        locate.Ranked("a.py", 10.0, False), locate.Ranked("b.py", 7.0, False),
        locate.Ranked("c.py", 5.0, False), locate.Ranked("d.py", 3.0, False),
        locate.Ranked("tests/test_a.py", 8.0, True), locate.Ranked("tests/test_b.py", 7.0, True),
    ]  # fmt: skip
    sizes = dict.fromkeys(["a.py", "b.py", "c.py", "d.py", "tests/test_a.py"], 100)
    chosen = [r.path for r in locate.choose(ranked, sizes, budget=10_000)]
    assert chosen == ["a.py", "b.py", "tests/test_a.py"]  # c: under 60 % of the best
    # a file over the budget is left out; the others still measure up to the best one
    assert [r.path for r in locate.choose(ranked, {**sizes, "a.py": 20_000}, 10_000)] == [
        "b.py", "tests/test_a.py"
    ]  # fmt: skip
    assert locate.choose([locate.Ranked("a.py", 1.0, False)], sizes, 10_000) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_the_chat_records_why_each_file_is_there(tmp_path: Path) -> None:
    tree = _tree(tmp_path, REPO)
    files = chat_files(tree, "Let `reorder_quantity` respect the supplier's minimum order",
                       "tasks_list.md", ["tests/**"], "", sorted(REPO))  # fmt: skip
    assert files.editable == ["inventory/stock.py"]
    assert files.read_only == ["tests/test_stock.py"]
    why = {c.path: (c.mode, c.chosen_by) for c in files.chosen}
    assert why == {
        "inventory/stock.py": ("editable", "ranked"),
        "tests/test_stock.py": ("read_only", "ranked"),
    }
    assert all(c.score and c.score > 0 for c in files.chosen)


def test_a_task_that_names_its_file_is_not_ranked(tmp_path: Path) -> None:
    tree = _tree(tmp_path, REPO)
    files = chat_files(tree, "Fix the report in `inventory/reports.py`", "tasks_list.md",
                       [], "", sorted(REPO))  # fmt: skip
    assert [(c.path, c.chosen_by, c.score) for c in files.chosen] == [
        ("inventory/reports.py", "named", None)
    ]


def test_a_repair_keeps_what_the_attempts_before_it_changed(tmp_path: Path) -> None:
    tree = _tree(tmp_path, REPO)
    output = "tests/test_stock.py F\nE   assert 'x' == 'y'\nFAILED tests/test_stock.py::test_a\n"
    files = chat_files(tree, "Let `reorder_quantity` respect the supplier's minimum order",
                       "tasks_list.md", ["tests/**"], output, sorted(REPO),
                       previous=["inventory/stock.py", "tests/test_stock.py"])  # fmt: skip
    why = [(c.path, c.mode, c.chosen_by) for c in files.chosen]
    assert why == [
        ("inventory/stock.py", "editable", "previous_attempt"),
        ("tests/test_stock.py", "read_only", "check_output"),  # (protected: never editable)
    ]
