"""Benchmark of the task-list library: parse, select and tick on a 5,000-task list.

`run()` returns the numbers; the caller writes them to bench/results/tasklist.json. Run as a
script it prints the same JSON.
"""

import gc
import json
import random
import statistics
import time
from collections.abc import Callable

from devteam_tasklist import parse, select, tick

TASKS = 5000
RUNS = 25
TOP, CHILDREN, GRANDCHILDREN = 100, 7, 6  # 100 * (1 + 7 * (1 + 6)) = 5,000 tasks, 3 levels
DONE_FRACTION = 0.4  # the first 40% of groups are done, so SELECT has to walk past them
DEPENDS_FRACTION = 0.1


def make_list(seed: int = 7) -> str:
    """A PRD-style list: headings, nested tasks with bodies, some depends on earlier groups."""
    rng = random.Random(seed)
    lines = ["# Tasks", "", "Generated for the benchmark.", ""]
    count = 0
    done_groups = int(TOP * DONE_FRACTION)

    def title(task_id: str, group: int, indent: str) -> str:
        nonlocal count
        count += 1
        box = "x" if group <= done_groups else " "
        text = f"{indent}- [{box}] {task_id} Implement part {task_id} of the feature"
        # Only on earlier groups: never on an ancestor, so the list has no cycle.
        if group > 1 and rng.random() < DEPENDS_FRACTION:
            target = rng.randint(1, group - 1)
            text += f" (depends: {target}.{rng.randint(1, CHILDREN)})"
        return text

    for group in range(1, TOP + 1):
        lines.append(title(f"{group}.0", group, ""))
        lines.append(f"  Context for group {group}: see the PRD, section {group}.")
        for child in range(1, CHILDREN + 1):
            lines.append(title(f"{group}.{child}", group, "  "))
            for grandchild in range(1, GRANDCHILDREN + 1):
                lines.append(title(f"{group}.{child}.{grandchild}", group, "    "))
                lines.append("      Acceptance: the endpoint returns 200 with the new field.")
        lines.append("")
    assert count == TASKS
    return "\n".join(lines)


def _median_ms(action: Callable[[], object], *, collect_garbage: bool = False) -> float:
    # Like timeit, the cyclic garbage collector is off while timing (unless asked for), so that
    # a collection of the benchmark's own leftovers is not charged to whichever run it hits.
    samples = []
    for _ in range(RUNS):
        gc.collect()
        if not collect_garbage:
            gc.disable()
        try:
            start = time.perf_counter()
            action()
            samples.append((time.perf_counter() - start) * 1000)
        finally:
            gc.enable()
    return round(statistics.median(samples), 3)


def run() -> dict[str, float | int]:
    """Time parse, select, tick and all three in a row (median of RUNS runs each, in ms).

    The `*_gc_on_*` number is the same as the first with the garbage collector running.
    """
    text = make_list()
    tasklist = parse(text)
    assert len(tasklist) == TASKS
    selection = select(tasklist)
    assert selection.task is not None
    task_id = selection.task.id

    def all_three() -> None:
        chosen = select(parse(text)).task
        assert chosen is not None
        tick(text, chosen.id)

    return {
        "tasks": TASKS,
        "parse_select_tick_ms_median": _median_ms(all_three),
        "parse_ms_median": _median_ms(lambda: parse(text)),
        "select_ms_median": _median_ms(lambda: select(tasklist)),
        "tick_ms_median": _median_ms(lambda: tick(text, task_id)),
        "parse_select_tick_gc_on_ms_median": _median_ms(all_three, collect_garbage=True),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
