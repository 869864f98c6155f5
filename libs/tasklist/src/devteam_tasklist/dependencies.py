"""Checking depends markers: every target must exist, and no task may end up waiting for itself.

A leaf waits for its own depends targets and for those of all its ancestors (a depends marker on
a parent holds back the whole group), and a parent is done only when its sub-tasks are. A cycle
through any mix of these is a task that can never start, so it is an error rather than a block.
The check does not look at box states, so ticking boxes can never make a valid list invalid.
"""

import difflib

from devteam_tasklist.errors import DependencyCycleError, UnknownDependencyError
from devteam_tasklist.model import TaskList

# Edge kinds of the wait-for graph; every task i has a node "start" (2i) and a node "done" (2i+1).
_DEPENDS, _INHERITS, _CONTAINS, _LEAF = range(4)


def check_dependencies(tasklist: TaskList) -> None:
    """Raise `UnknownDependencyError` or `DependencyCycleError` for the first problem found.

    Problems are looked for in document order, so the error points at the earliest line that
    needs a change. A list that passes stays valid whatever boxes are ticked later.
    """
    tasks = tasklist.tasks
    index = {task.id: number for number, task in enumerate(tasks)}
    for task in tasks:
        for dep in task.depends:
            if dep not in index:
                close = difflib.get_close_matches(dep, list(index), n=2, cutoff=0.6)
                raise UnknownDependencyError(task.id, dep, task.line, tuple(close))
    if _only_backward(tasklist, index):
        return
    _check_cycles(tasklist, index)


def _only_backward(tasklist: TaskList, index: dict[str, int]) -> bool:
    """Whether every depends target, sub-tasks included, lies wholly before the dependent task.

    Then no cycle is possible: give "start X" the position of X and "done Y" the position of
    Y's last descendant; every wait-for edge keeps or lowers that number and the edges that
    leave a start node lower it strictly, so no path can come back. This is how people write
    lists, and it spares building the graph.
    """
    tasks = tasklist.tasks
    last = list(range(len(tasks)))  # position of each task's last descendant (or itself)
    for number in range(len(tasks) - 1, -1, -1):
        children = tasks[number].children
        if children:
            last[number] = last[index[children[-1]]]
    return all(
        last[index[dep]] < number
        for number, task in enumerate(tasks)
        if task.depends
        for dep in task.depends
    )


def _check_cycles(tasklist: TaskList, index: dict[str, int]) -> None:
    tasks = tasklist.tasks
    edges: list[list[tuple[int, int]]] = [[] for _ in range(2 * len(tasks))]
    for number, task in enumerate(tasks):
        start, done = 2 * number, 2 * number + 1
        edges[start].extend((2 * index[dep] + 1, _DEPENDS) for dep in task.depends)
        if task.parent is not None:
            edges[start].append((2 * index[task.parent], _INHERITS))
        if task.children:
            edges[done].extend((2 * index[child] + 1, _CONTAINS) for child in task.children)
        else:
            edges[done].append((start, _LEAF))

    # Kahn's algorithm finds out cheaply whether there is a cycle at all (the common answer is
    # no); only then does a depth-first search walk the remaining nodes to name one.
    indegree = [0] * len(edges)
    for out in edges:
        for target, _kind in out:
            indegree[target] += 1
    ready = [node for node, count in enumerate(indegree) if count == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for target, _kind in edges[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    if removed == len(edges):
        return
    _find_cycle(tasklist, edges)


def _find_cycle(tasklist: TaskList, edges: list[list[tuple[int, int]]]) -> None:
    # Iterative depth-first search: nesting and chains can be as deep as the document is long.
    state = bytearray(len(edges))  # 0 unseen, 1 on the current path, 2 finished
    for root in range(len(edges)):
        if state[root]:
            continue
        state[root] = 1
        path: list[list[int]] = [[root, 0]]
        while path:
            frame = path[-1]
            node, next_edge = frame
            if next_edge == len(edges[node]):
                state[node] = 2
                path.pop()
                continue
            frame[1] += 1
            target, _kind = edges[node][next_edge]
            if state[target] == 0:
                state[target] = 1
                path.append([target, 0])
            elif state[target] == 1:
                _raise_cycle(tasklist, edges, path, target)


def _raise_cycle(
    tasklist: TaskList, edges: list[list[tuple[int, int]]], path: list[list[int]], target: int
) -> None:
    tasks = tasklist.tasks
    first = next(pos for pos, frame in enumerate(path) if frame[0] == target)
    steps: list[str] = []
    involved: list[int] = []
    for node, next_edge in path[first:]:
        to, kind = edges[node][next_edge - 1]
        source, dest = tasks[node // 2], tasks[to // 2]
        involved.append(node // 2)
        if kind == _DEPENDS:
            steps.append(f"{source.id} depends on {dest.id}")
        elif kind == _INHERITS:
            steps.append(f"{source.id} waits for what its parent {dest.id} depends on")
        elif kind == _CONTAINS:
            steps.append(f"{source.id} is done only when its sub-task {dest.id} is")
    ids = tuple(dict.fromkeys(tasks[number].id for number in involved))
    lines = tuple(sorted({tasks[number].line for number in involved}))
    raise DependencyCycleError(ids, "; ".join(steps), lines)
