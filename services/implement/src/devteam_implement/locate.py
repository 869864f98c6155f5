"""Finding the files a task needs when it does not name them (or names too few), before the
first request, so the model's first answer can be the edit.

The repository's source files are ranked against the task's words (its title, body and parent
tasks; on a repair, the failing check's output too): BM25 over each file's path and module
name, the symbols it defines, its docstrings and comments, and the identifiers in its code,
weighted in that order; a file that defines a function or class the task names gets a bonus.
Tests lend their score to what they import: a test that mentions the task's words points at
its module (and at the module to create when it imports one that does not exist yet). The
best few source files go into the chat editable, the best test read-only, within a budget.
No I/O: the caller reads the files.
"""

import math
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CODE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java",
                 ".kt", ".rb", ".php", ".cs", ".c", ".h", ".cc", ".cpp", ".hpp", ".swift",
                 ".scala", ".vue", ".svelte")  # fmt: skip
# Field weights: where a word appears says how much the file is about it.
PATH, SYMBOLS, DOCS, CODE = 3.0, 2.0, 1.0, 0.4
K1 = 1.2
DEFINES_BONUS = 4.0  # the file defines a function or class the task names
TEST_LEND = 0.6  # what a test passes on to an existing module it imports (all, to a missing one)
MIN_SCORE = 1.5  # below this nothing is chosen: a guess is worse than none
KEEP_RATIO = 0.6  # further files need this share of the best one's score
MAX_EDITABLE, MAX_TESTS = 3, 1

# (common English and task words: they say nothing about where code lives; a paragraph reads
# better than 90 literals)
_STOP = frozenset(
    "a an and any are as at be by can do does each else for from get gets has have if in "  # noqa: SIM905
    "into is it its let lets make makes must new no not of on or our return returns "
    "should so that the their them then there these this to too use used uses using when "
    "where which while with without add adds added implement function method class "
    "module file files code task test tests value values given also like e g eg i ie one "
    "two ".split()
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SYMBOL = re.compile(
    r"^\s*(?:async\s+)?def\s+(\w+)|^\s*class\s+(\w+)|\bfunction\s*\*?\s*(\w+)"
    r"|^\s*(?:export\s+)?(?:default\s+)?(?:const|let|var)\s+(\w+)\s*=|^\s*func\s+(?:\([^)]*\)\s*)?(\w+)"
    r"|^\s*(?:pub\s+)?fn\s+(\w+)|^\s*(\w+)\s*[:=]\s*(?:async\s*)?(?:function|\()",
    re.M,
)
_DOCS = re.compile(r'"""(.*?)"""|\'\'\'(.*?)\'\'\'|#(.*)$|//(.*)$|/\*(.*?)\*/', re.S | re.M)
_PY_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import\s+([\w, ()]+)|import\s+([\w.]+))", re.M)
_JS_IMPORT = re.compile(r"""(?:require\(\s*|from\s+|import\s+)['"](\.{1,2}/[^'"]+)['"]""")


def words(text: str) -> list[str]:
    """The words of `text` as ranking compares them: identifiers split at `_` and case
    changes, lowercased, plural and verb endings cut, common words left out."""
    out = []
    for raw in _WORD.findall(re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text.replace("_", " "))):
        word = _stem(raw.lower())
        if len(word) > 1 and word not in _STOP:
            out.append(word)
    return out


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + keep
            return stem if not stem.endswith("ss") else word
    return word


def is_test(path: str) -> bool:
    """A test file, by the conventions of pytest, Jest, Mocha and Go."""
    name = posixpath.basename(path)
    parts = path.split("/")
    return (
        name.startswith("test_") or name.endswith(("_test.py", "_test.go"))
        or any(marker in name for marker in (".test.", ".spec."))
        or any(p in ("tests", "test", "__tests__", "spec") for p in parts[:-1])
    )  # fmt: skip


def is_code(path: str) -> bool:
    """A source file ranking considers."""
    return path.endswith(CODE_SUFFIXES) and not posixpath.basename(path).startswith(".")


@dataclass(frozen=True)
class Ranked:
    """A file and how well it matches the task; `new`: a module a test imports that does not
    exist yet."""

    path: str
    score: float
    test: bool
    new: bool = False


def _fields(path: str, text: str) -> tuple[dict[str, Counter[str]], set[str]]:
    """The file's words per field, and the names it defines."""
    stem = posixpath.splitext(path)[0]
    symbols = {next(g for g in m.groups() if g) for m in _SYMBOL.finditer(text)}
    docs = [next((g for g in m.groups() if g), "") for m in _DOCS.finditer(text)]
    fields = {
        "path": Counter(words(stem.replace("/", " "))),
        "symbols": Counter(w for s in symbols for w in words(s)),
        "docs": Counter(words(" ".join(docs))),
        "code": Counter(words(" ".join(_IDENT.findall(text)))),
    }
    return fields, symbols


def imported(path: str, text: str, files: Iterable[str]) -> list[str]:
    """The repository modules `path` imports (Python absolute imports, JavaScript relative
    ones), existing or not; a Python module that exists nowhere is given as `a/b.py`."""
    known = set(files)
    found: list[str] = []
    if path.endswith(".py"):
        for match in _PY_IMPORT.finditer(text):
            module = match.group(1) or match.group(3)
            names = [n.strip(" ()") for n in (match.group(2) or "").split(",")]
            bases = [module] + [f"{module}.{n}" for n in names if n]
            for dotted in bases:
                rel = dotted.replace(".", "/")
                for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
                    if candidate in known:
                        found.append(candidate)
                        break
            if not any(b.replace(".", "/") + ".py" in known for b in bases):
                parent = module.rsplit(".", 1)[0].replace(".", "/")
                if "." in module and (f"{parent}/__init__.py" in known):
                    found.append(module.replace(".", "/") + ".py")  # to be created
    else:
        for match in _JS_IMPORT.finditer(text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), match.group(1)))
            options = [target, *(target + s for s in CODE_SUFFIXES), f"{target}/index.js"]
            found.append(next((o for o in options if o in known), target + ".js"))
    return list(dict.fromkeys(f for f in found if f != path))


def rank(files: Mapping[str, str], query: str) -> list[Ranked]:
    """The source files of `files` (path → text) ranked against `query`, best first (only
    those with a positive score)."""
    terms = set(words(query))
    named = {s for s in _IDENT.findall(query) if len(s) > 2 and ("_" in s or s != s.lower())}
    named |= set(re.findall(r"`(\w+)\(?", query))
    if not terms:
        return []
    paths = [p for p in files if is_code(p)]
    parsed = {p: _fields(p, files[p]) for p in paths}
    fields = {p: per_file for p, (per_file, _defined) in parsed.items()}
    df: Counter[str] = Counter()
    for per_file in fields.values():
        df.update({t for f in per_file.values() for t in f if t in terms})
    n = max(len(paths), 1)
    weights = {"path": PATH, "symbols": SYMBOLS, "docs": DOCS, "code": CODE}
    scores: dict[str, float] = {}
    for path in paths:
        score = 0.0
        for term in terms:
            tf = sum(weights[name] * counts[term] for name, counts in fields[path].items())
            if tf:
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                score += idf * tf * (K1 + 1) / (tf + K1)
        if named & parsed[path][1]:
            score += DEFINES_BONUS
        scores[path] = score
    lent: dict[str, float] = {}
    for path in paths:
        if is_test(path) and scores[path] > 0:
            for module in imported(path, files[path], files):
                if not is_test(module):
                    # a module a test needs and nobody wrote yet is what the task is about
                    share = 1.0 if module not in files else TEST_LEND
                    lent[module] = max(lent.get(module, 0.0), share * scores[path])
    for module, extra in lent.items():
        scores[module] = scores.get(module, 0.0) + extra
    ranked = [
        Ranked(path, round(score, 3), is_test(path), new=path not in files)
        for path, score in scores.items()
        if score > 0
    ]
    return sorted(ranked, key=lambda r: (-r.score, r.path))


def choose(ranked: list[Ranked], sizes: Mapping[str, int], budget: int) -> list[Ranked]:
    """The files to put in the chat: the best source files (up to `MAX_EDITABLE`, each within
    `KEEP_RATIO` of the best) and the best test, while their sizes fit in `budget`."""
    chosen: list[Ranked] = []
    for pool, limit in (([r for r in ranked if not r.test], MAX_EDITABLE),
                        ([r for r in ranked if r.test and not r.new], MAX_TESTS)):  # fmt: skip
        if not pool or pool[0].score < MIN_SCORE:
            continue
        for item in pool[:limit]:
            if item.score < KEEP_RATIO * pool[0].score:
                break
            size = sizes.get(item.path, 0)
            if size > budget:
                continue
            budget -= size
            chosen.append(item)
    return chosen
