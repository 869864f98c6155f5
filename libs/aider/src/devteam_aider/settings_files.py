"""The files Aider is pointed at: model metadata, history files, the ignore file, the message.

All of them live in the attempt's private state directory, never in the work tree, so Aider
neither waits on a model-metadata download at start nor leaves files in the repository.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# Generous limits: the metadata only has to exist so Aider does not fetch litellm's price list;
# a real model's provider enforces its own limits.
_MAX_INPUT_TOKENS = 128_000
_MAX_OUTPUT_TOKENS = 8_192
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")


@dataclass(frozen=True)
class StateFiles:
    """Paths inside the state directory that one Aider attempt uses."""

    home: Path
    model_metadata: Path
    model_settings: Path
    chat_history: Path
    input_history: Path
    llm_history: Path
    aiderignore: Path
    message: Path
    accounting: Path


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else "openai"


def ignore_pattern(path: str) -> str:
    """A gitignore-style pattern matching exactly the repository path `path`."""
    escaped = _GLOB_SPECIAL.sub(r"\\\1", path)
    return "/" + escaped


def model_settings(max_output_tokens: int | None) -> str:
    """Aider's model-settings file: none of our own for a model (Aider's are right for the
    models it knows), only the parameters it adds to every request (its `aider/extra_params`
    entry). Always a file, so Aider never falls back to a `.aider.model.settings.yml` of the
    repository. (JSON is YAML.)"""
    if max_output_tokens is None:
        return "[]\n"
    extra = {"name": "aider/extra_params", "extra_params": {"max_tokens": max_output_tokens}}
    return json.dumps([extra]) + "\n"


def write_state_files(
    state_dir: Path,
    models: list[str],
    ignored: list[str],
    message: str,
    max_output_tokens: int | None = None,
) -> StateFiles:
    """Create the state directory layout and write every file Aider will be given.

    `models` get metadata (so nothing is downloaded for them); `ignored` repository paths go
    into the ignore file, which keeps them out of the repo map and out of the chat;
    `max_output_tokens` goes with every request as `max_tokens`.
    """
    files = StateFiles(
        home=state_dir / "home",
        model_metadata=state_dir / "model-metadata.json",
        model_settings=state_dir / "model-settings.yml",
        chat_history=state_dir / "chat-history.md",
        input_history=state_dir / "input-history",
        llm_history=state_dir / "llm-history.txt",
        aiderignore=state_dir / "aiderignore",
        message=state_dir / "message.txt",
        accounting=state_dir / "accounting.json",
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    files.home.mkdir(exist_ok=True)
    metadata = {
        model: {
            "max_tokens": _MAX_OUTPUT_TOKENS,
            "max_input_tokens": _MAX_INPUT_TOKENS,
            "max_output_tokens": _MAX_OUTPUT_TOKENS,
            "input_cost_per_token": 0.0,
            "output_cost_per_token": 0.0,
            "litellm_provider": _provider(model),
            "mode": "chat",
        }
        for model in models
    }
    files.model_metadata.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    files.model_settings.write_text(model_settings(max_output_tokens), encoding="utf-8")
    files.aiderignore.write_text("".join(f"{ignore_pattern(p)}\n" for p in ignored), "utf-8")
    files.message.write_text(message, encoding="utf-8")
    files.accounting.unlink(missing_ok=True)
    return files


def aider_args(
    files: StateFiles,
    model: str,
    weak_model: str,
    edit_format: str | None,
    request_timeout_s: float,
    chat_files: list[str],
    read_only: list[str],
    map_tokens: int | None = None,
) -> list[str]:
    """Aider's command line without the message: everything explicit, nothing that depends
    on the repository. Without `edit_format` Aider picks its own for models it knows, and
    `whole` for any other; without `map_tokens`, its own repo-map size (up to 4096 tokens
    for the context the metadata declares)."""
    args = [
        "--model", model,
        "--weak-model", weak_model,
        "--model-metadata-file", str(files.model_metadata),
        "--model-settings-file", str(files.model_settings),
        "--chat-history-file", str(files.chat_history),
        "--input-history-file", str(files.input_history),
        "--llm-history-file", str(files.llm_history),
        "--aiderignore", str(files.aiderignore),
        "--timeout", f"{request_timeout_s:g}",
        "--encoding", "utf-8",
        "--no-check-update",
        "--analytics-disable",
        "--no-show-release-notes",
        "--no-show-model-warnings",
        "--no-check-model-accepts-settings",
        "--no-gitignore",
        "--no-add-gitignore-files",
        "--no-pretty",
        "--no-fancy-input",
        "--no-multiline",
        "--no-detect-urls",
        "--disable-playwright",
        "--no-suggest-shell-commands",
        "--no-watch-files",
        "--no-notifications",
        "--no-restore-chat-history",
        "--no-copy-paste",
        "--yes-always",
        "--git",
        "--auto-commits",
        "--no-dirty-commits",
        "--no-git-commit-verify",
        "--no-attribute-author",
        "--no-attribute-committer",
        "--no-attribute-commit-message-author",
        "--no-attribute-commit-message-committer",
        "--no-attribute-co-authored-by",
        "--no-auto-lint",
        "--no-auto-test",
    ]  # fmt: skip
    if edit_format:
        args += ["--edit-format", edit_format]
    if map_tokens is not None:
        args += ["--map-tokens", str(map_tokens)]
    for path in read_only:
        args += ["--read", path]
    # After `--`, so a file name can never be taken for an option.
    return [*args, "--", *chat_files] if chat_files else args
