"""What the Aider host imports and warms before it forks: the modules a real attempt needs.

The modules (and the pydantic models whose schemas an attempt builds) are learnt from a warm-up
attempt (`host_warmup`) once and kept beside Aider's environment in `PRELOAD_FILE`, keyed by the
Aider and Python versions. The host imports them, builds those schemas and fills caches that
hold no tenant data, so each forked child starts with them done. Loaded by the host
(`aider_host.py`) in Aider's environment, so stdlib only.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

# A preload entry that names a pydantic model (`@module:qualname`) rather than a module.
MODEL_MARK = "@"


def is_complete(cls: Any) -> bool:
    """Whether a pydantic model's schema is built (anything else counts as built)."""
    return bool(getattr(cls, "__pydantic_complete__", True))


def lazy_models() -> dict[str, Any]:
    """Pydantic models whose schema is still to be built (on their first use)."""
    try:
        from pydantic import BaseModel
    except ImportError:
        return {}
    found: dict[str, Any] = {}
    for name, module in list(sys.modules.items()):
        for value in list(getattr(module, "__dict__", {}).values()):
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == name
                and not is_complete(value)
            ):
                found[f"{name}:{value.__qualname__}"] = value
    return found


def built_since(lazy: dict[str, Any]) -> list[str]:
    """Preload entries for the models of `lazy` (from `lazy_models`) built since it was taken."""
    return [f"{MODEL_MARK}{key}" for key, cls in lazy.items() if is_complete(cls)]


def build_models(entries: list[str]) -> None:
    """Build the schemas of the models a real attempt builds (tenant-neutral: types only)."""
    for entry in entries:
        module_name, _, qualname = entry[len(MODEL_MARK) :].partition(":")
        obj: Any = sys.modules.get(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part, None)
        rebuild = getattr(obj, "model_rebuild", None)
        if rebuild is not None:
            with contextlib.suppress(Exception):
                rebuild()


def import_all(modules: list[str]) -> int:
    """Import the modules of a preload list that are not imported yet (ours and model entries
    aside); return how many were."""
    imported = 0
    for name in modules:
        if (
            not name
            or name in sys.modules
            or name.startswith(("__main__", "devteam_aider", MODEL_MARK))
        ):
            continue
        try:
            importlib.import_module(name)
            imported += 1
        except Exception:  # noqa: S112 - a module that only imports in its own context is skipped
            continue
    return imported


def warm_pure_caches() -> None:
    """Caches that hold no tenant data and cost real time per attempt if left cold: pygments'
    lexer look-up and the lexers of common languages (Aider's repo map tokenises with them),
    and the parse of Aider's bundled model metadata."""
    try:
        from pygments.lexers import guess_lexer_for_filename  # type: ignore[import-untyped]
        from pygments.util import ClassNotFound  # type: ignore[import-untyped]

        for name in ("a.py", "a.js", "a.ts", "a.tsx", "a.go", "a.rs", "a.java", "a.c", "a.cpp",
                     "a.rb", "a.php", "a.sh", "a.md", "a.json", "a.toml", "a.yaml", "a.html",
                     "a.css", "a.kt", "a.swift", "a.cs", "a.scala", "a.txt"):  # fmt: skip
            try:
                guess_lexer_for_filename(name, "")
            except ClassNotFound:
                continue
    except ImportError:
        pass
    try:
        import importlib_resources  # type: ignore[import-not-found]
        import json5  # type: ignore[import-not-found]

        bundled = importlib_resources.files("aider.resources").joinpath("model-metadata.json")
        text = bundled.read_text()
        parsed = json5.loads(text)
        original = json5.loads

        def loads(s, *args, **kwargs):  # type: ignore[no-untyped-def]
            if s == text and not args and not kwargs:
                return json.loads(json.dumps(parsed))  # a copy: callers may change it
            return original(s, *args, **kwargs)

        json5.loads = loads
    except (ImportError, OSError, ValueError):
        pass


PRELOAD_FILE = Path(sys.prefix) / "devteam-host-preload.txt"


def _preload_key(version: str) -> str:
    return f"aider {version} python {sys.version_info[0]}.{sys.version_info[1]}"


def cached_modules(version: str) -> list[str] | None:
    """The preload list stored for this Aider `version` and Python, if there is one."""
    try:
        key, *modules = PRELOAD_FILE.read_text(encoding="utf-8").split("\n")
    except OSError:
        return None
    return modules if key == _preload_key(version) else None


def store_modules(version: str, modules: list[str]) -> None:
    """Keep the preload list for this Aider `version` and Python beside the environment."""
    # Best effort: a read-only environment just warms up at every start.
    tmp = PRELOAD_FILE.with_name(f"{PRELOAD_FILE.name}.{os.getpid()}")
    try:
        tmp.write_text("\n".join([_preload_key(version), *modules]), encoding="utf-8")
        os.replace(tmp, PRELOAD_FILE)
    except OSError:
        pass
