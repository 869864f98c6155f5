"""Runs one Aider attempt with only the settings we give it, and writes its accounting.

Executed by the *aider environment's* python, never imported by the workspace: either as a
script (the CLI path: `python -I -u aider_driver.py --accounting FILE --tags-cache DIR
--retry-timeout S -- <aider args>`), or imported by the Aider host (`aider_host.py`), whose
`host_loop` and `host_warmup` call `run_attempt` in a freshly forked child.

Aider's CLI merges settings from files it discovers by itself: `.aider.conf.yml` (cwd, git root,
home), `.env` (home, git root, cwd, plus --env-file), `.aider.model.settings.yml` and
`.aider.model.metadata.json` (home, git root, cwd). A repository under work could use those to
change the model, the API base (and so where the API key is sent), or to run commands
(`auto-test` + `test-cmd`). Explicit flags do not stop that, so discovery is switched off before
`aider.main.main` runs: no config file, no dotenv file, model settings/metadata only from the
files we pass. The repo-map tags cache moves out of the work tree.

Accounting records what the model actually did, so the caller never has to trust Aider's exit
code or words: every completion call (edit request, commit message, other) with its outcome,
HTTP status, duration and tokens, plus Aider's own count of malformed edit responses.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ACCOUNTING_VERSION = 1
_MAX_ERROR_CHARS = 500
# What this attempt may still spend: the tighter of its run's and its tenant's budgets (set by
# the runner; unset: no limit).
BUDGET_TOKENS_VAR = "DEVTEAM_BUDGET_TOKENS"
BUDGET_COST_VAR = "DEVTEAM_BUDGET_COST_USD"


class DriverError(Exception):
    """The installed Aider lacks a hook this driver relies on."""


class BudgetExceeded(BaseException):
    """The budget is spent (the run's or its tenant's): no further model request. A
    BaseException, so that Aider's own `except Exception` handlers do not take it for a model
    error and go on."""


def _only_explicit(default_file, git_root, command_line_file):  # type: ignore[no-untyped-def]
    # Replaces aider.main.generate_search_path_list: search nowhere, keep only what we passed.
    # Ours are absolute paths; a relative one is Aider's default name (`.aider.model.*`),
    # which would be the repository's own file.
    if command_line_file and Path(command_line_file).is_absolute():
        return [command_line_file]
    return []


def _no_dotenv(git_root, dotenv_fname, encoding="utf-8"):  # type: ignore[no-untyped-def]
    return []


def _require(obj: Any, *names: str) -> None:
    for name in names:
        if not hasattr(obj, name):
            raise DriverError(
                f"{getattr(obj, '__name__', obj)}.{name} not found; unsupported Aider"
            )


class Accounting:
    """What one attempt asked of the model and what came back."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.kind = "edit"
        self.coder: Any = None
        self.crashed: str | None = None
        self.budget_exceeded: str | None = None
        self.started = time.monotonic()
        self.max_tokens = _budget(BUDGET_TOKENS_VAR, int)
        self.max_cost = _budget(BUDGET_COST_VAR, float)

    def check_budget(self) -> None:
        """Before a model request: `BudgetExceeded` once what this attempt's calls used has
        reached what its run may still spend (the request in flight may overshoot, no more)."""
        tokens = sum((c["prompt_tokens"] or 0) + (c["completion_tokens"] or 0) for c in self.calls)
        cost = sum(c.get("reported_cost") or 0.0 for c in self.calls)
        if self.max_tokens is not None and tokens >= self.max_tokens:
            self.budget_exceeded = (
                f"this attempt used {tokens} tokens of the {self.max_tokens} the budget had left"
            )
        elif self.max_cost is not None and cost >= self.max_cost:
            self.budget_exceeded = (
                f"this attempt spent ${cost:.4f} of the ${self.max_cost:.4f} the budget had left"
            )
        if self.budget_exceeded:
            raise BudgetExceeded(self.budget_exceeded)

    def as_json(self) -> dict[str, Any]:
        coder = self.coder
        return {
            "v": ACCOUNTING_VERSION,
            "calls": self.calls,
            "malformed_responses": int(getattr(coder, "num_malformed_responses", 0) or 0),
            "exhausted_context": int(getattr(coder, "num_exhausted_context_windows", 0) or 0),
            "reflections": int(getattr(coder, "num_reflections", 0) or 0),
            "edited_files": sorted(
                str(f) for f in (getattr(coder, "aider_edited_files", None) or [])
            ),
            "crashed": self.crashed,
            "budget_exceeded": self.budget_exceeded,
            "wall_s": round(time.monotonic() - self.started, 4),
        }


def _budget(var: str, kind: type[int] | type[float]) -> Any:
    raw = os.environ.get(var)
    return kind(raw) if raw else None


def _text_of(chunk: Any) -> str:
    try:
        delta = chunk.choices[0].delta
    except (AttributeError, IndexError, TypeError):
        return ""
    content = getattr(delta, "content", None)
    return content if isinstance(content, str) else ""


def _usage_of(obj: Any) -> tuple[int | None, int | None, float | None]:
    usage = getattr(obj, "usage", None)
    if usage is None and isinstance(obj, dict):
        usage = obj.get("usage")
    if usage is None:
        return None, None, None

    def field(name: str) -> Any:
        return usage.get(name) if isinstance(usage, dict) else getattr(usage, name, None)

    prompt, completion, cost = field("prompt_tokens"), field("completion_tokens"), field("cost")
    return (
        prompt if isinstance(prompt, int) else None,
        completion if isinstance(completion, int) else None,
        float(cost) if isinstance(cost, int | float) and not isinstance(cost, bool) else None,
    )


class _Call:
    """One completion call being recorded."""

    def __init__(self, acc: Accounting, kwargs: dict[str, Any]) -> None:
        self.acc = acc
        self.model = str(kwargs.get("model", ""))
        self.messages = kwargs.get("messages") or []
        self.record: dict[str, Any] = {
            "kind": acc.kind,
            "model": self.model,
            "stream": bool(kwargs.get("stream")),
            "ok": None,
            "error": None,
            "error_type": None,
            "http_status": None,
            "duration_s": None,
            "prompt_tokens": None,
            "completion_tokens": None,
            "reported_cost": None,
            "estimated": False,
        }
        self.started = time.monotonic()
        acc.calls.append(self.record)

    def failed(self, exc: BaseException) -> None:
        status = getattr(exc, "status_code", None)
        self.record.update(
            ok=False,
            error=str(exc)[:_MAX_ERROR_CHARS],
            error_type=type(exc).__name__,
            http_status=status if isinstance(status, int) else None,
            duration_s=round(time.monotonic() - self.started, 4),
        )

    def succeeded(self, usage_from: Any, text: str) -> None:
        import litellm  # type: ignore[import-not-found]

        prompt, completion, cost = _usage_of(usage_from)
        if prompt is None or completion is None:
            self.record["estimated"] = True
            try:
                prompt = litellm.token_counter(model=self.model, messages=self.messages)
                completion = litellm.token_counter(model=self.model, text=text or "")
            except Exception as exc:  # counting is best effort; say why it is missing
                self.record["error"] = f"token count failed: {exc}"[:_MAX_ERROR_CHARS]
        self.record.update(
            ok=True,
            duration_s=round(time.monotonic() - self.started, 4),
            prompt_tokens=prompt,
            completion_tokens=completion,
            reported_cost=cost,
        )


class _RecordedStream:
    """Wraps a streaming completion: passes chunks through, records the end of the stream."""

    def __init__(self, inner: Any, call: _Call) -> None:
        self._inner = inner
        self._call = call

    def __iter__(self):  # type: ignore[no-untyped-def]
        parts: list[str] = []
        last: Any = None
        try:
            for chunk in self._inner:
                if getattr(chunk, "usage", None) is not None:
                    last = chunk
                parts.append(_text_of(chunk))
                yield chunk
        except BaseException as exc:
            self._call.failed(exc)
            raise
        self._call.succeeded(last, "".join(parts))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _NoSpinner:
    """Aider's commit-message spinner, headless: its thread only draws on a terminal, and
    stopping it waits out a 0.15 s sleep on every commit."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __enter__(self) -> _NoSpinner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def install(tags_cache_dir: str, retry_timeout_s: float, acc: Accounting) -> Any:
    """Switch off Aider's settings discovery, bound its retries and record every model call;
    returns `aider.main`. Raises DriverError when this Aider moved a hook we need."""
    import aider.coders.base_coder as base_coder  # type: ignore[import-not-found]
    import aider.main as aider_main  # type: ignore[import-not-found]
    import aider.models as aider_models  # type: ignore[import-not-found]
    import aider.repo as aider_repo  # type: ignore[import-not-found]
    import aider.repomap as aider_repomap  # type: ignore[import-not-found]
    import litellm

    _require(aider_main, "get_parser", "load_dotenv_files", "generate_search_path_list", "main")
    _require(aider_repomap.RepoMap, "TAGS_CACHE_DIR")
    _require(aider_models, "RETRY_TIMEOUT")
    _require(base_coder, "RETRY_TIMEOUT")
    _require(base_coder.Coder, "run")
    _require(aider_repo.GitRepo, "get_commit_message")
    _require(aider_repo, "WaitingSpinner")
    _require(litellm, "completion")

    original_get_parser = aider_main.get_parser

    def get_parser(default_config_files, git_root):  # type: ignore[no-untyped-def]
        return original_get_parser([], git_root)

    aider_main.get_parser = get_parser
    aider_main.load_dotenv_files = _no_dotenv
    aider_main.generate_search_path_list = _only_explicit
    # An absolute path: RepoMap joins it onto the repo root, which then drops the root.
    aider_repomap.RepoMap.TAGS_CACHE_DIR = str(Path(tags_cache_dir).resolve())
    # Aider retries transient model errors with doubling delays until they pass this bound.
    aider_models.RETRY_TIMEOUT = retry_timeout_s
    base_coder.RETRY_TIMEOUT = retry_timeout_s

    completion = litellm.completion

    def recorded_completion(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Aider's loop above is the one retry layer (bounded by `retry_timeout_s`); the OpenAI
        # client would otherwise retry each request again on its own.
        kwargs.setdefault("max_retries", 0)
        acc.check_budget()
        call = _Call(acc, kwargs)
        try:
            result = completion(*args, **kwargs)
        except BaseException as exc:
            call.failed(exc)
            raise
        if kwargs.get("stream"):
            return _RecordedStream(result, call)
        try:
            text = result.choices[0].message.content or ""
        except (AttributeError, IndexError, TypeError):
            text = ""
        call.succeeded(result, text)
        return result

    litellm.completion = recorded_completion

    get_commit_message = aider_repo.GitRepo.get_commit_message

    def commit_message(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        previous, acc.kind = acc.kind, "commit_message"
        try:
            return get_commit_message(self, *args, **kwargs)
        finally:
            acc.kind = previous

    aider_repo.GitRepo.get_commit_message = commit_message
    aider_repo.WaitingSpinner = _NoSpinner

    run = base_coder.Coder.run

    def coder_run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        acc.coder = self
        return run(self, *args, **kwargs)

    base_coder.Coder.run = coder_run
    return aider_main


def write_accounting(path: str, acc: Accounting) -> None:
    """Write the accounting atomically (a reader never sees half a file)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(acc.as_json(), fh)
    os.replace(tmp, path)


def run_attempt(
    aider_argv: list[str], accounting_path: str, tags_cache_dir: str, retry_timeout_s: float
) -> int:
    """Run Aider once in the current directory; always leaves the accounting behind.

    Returns the exit status for the process: 0 when Aider returned, 1 when it raised, 3 when
    this Aider is not supported by the driver.
    """
    acc = Accounting()
    try:
        try:
            aider_main = install(tags_cache_dir, retry_timeout_s, acc)
        except DriverError as exc:
            acc.crashed = f"aider_driver: {exc}"
            print(acc.crashed, file=sys.stderr)
            return 3
        try:
            result = aider_main.main(aider_argv)
        except SystemExit as exc:
            return exc.code if isinstance(exc.code, int) else 1
        except BudgetExceeded:
            print(f"aider_driver: the budget is spent ({acc.budget_exceeded})", file=sys.stderr)
            return 0
        except BaseException as exc:
            acc.crashed = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_CHARS]
            traceback.print_exc()
            return 1
        return result if isinstance(result, int) else 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        write_accounting(accounting_path, acc)


def main() -> int:
    """The CLI path: `aider_driver.py --accounting F --tags-cache D --retry-timeout S -- ...`."""
    args = sys.argv[1:]
    try:
        split = args.index("--")
        options = dict(zip(args[:split:2], args[1:split:2], strict=True))
        accounting, tags = options["--accounting"], options["--tags-cache"]
        retry = float(options["--retry-timeout"])
    except (ValueError, KeyError):
        print(
            "usage: aider_driver.py --accounting FILE --tags-cache DIR --retry-timeout S -- ...",
            file=sys.stderr,
        )
        return 2
    return run_attempt(args[split + 1 :], accounting, tags, retry)


if __name__ == "__main__":
    sys.exit(main())
