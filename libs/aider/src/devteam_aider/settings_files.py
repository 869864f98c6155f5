"""The files Aider is pointed at: model metadata/settings, history files, the message file.

All of them live in the invocation's private state directory, never in the work tree, so Aider
neither waits on a model-metadata download at start nor leaves files in the repository.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# Generous limits: the metadata only has to exist so Aider does not fetch litellm's price list;
# a real model's provider enforces its own limits.
_MAX_INPUT_TOKENS = 128_000
_MAX_OUTPUT_TOKENS = 8_192


@dataclass(frozen=True)
class StateFiles:
    """Paths inside the state directory that one Aider run uses."""

    home: Path
    tags_cache: Path
    model_metadata: Path
    model_settings: Path
    chat_history: Path
    input_history: Path
    llm_history: Path
    aiderignore: Path
    message: Path


def _provider(model: str) -> str:
    return model.split("/", 1)[0] if "/" in model else "openai"


def write_state_files(state_dir: Path, model: str, edit_format: str, message: str) -> StateFiles:
    """Create the state directory layout and write every file Aider will be given."""
    files = StateFiles(
        home=state_dir / "home",
        tags_cache=state_dir / "tags-cache",
        model_metadata=state_dir / "model-metadata.json",
        model_settings=state_dir / "model-settings.yml",
        chat_history=state_dir / "chat-history.md",
        input_history=state_dir / "input-history",
        llm_history=state_dir / "llm-history.txt",
        aiderignore=state_dir / "aiderignore",
        message=state_dir / "message.txt",
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    files.home.mkdir(exist_ok=True)
    files.tags_cache.mkdir(exist_ok=True)
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
    }
    files.model_metadata.write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    # JSON is valid YAML, and Aider reads this file with a YAML loader.
    settings = [{"name": model, "edit_format": edit_format, "weak_model_name": model}]
    files.model_settings.write_text(json.dumps(settings, indent=2), encoding="utf-8")
    files.aiderignore.write_text("", encoding="utf-8")
    files.message.write_text(message, encoding="utf-8")
    return files


def aider_args(
    files: StateFiles, model: str, edit_format: str, request_timeout_s: float
) -> list[str]:
    """Aider's command line: everything explicit, nothing that depends on the repository."""
    return [
        "--model", model,
        "--weak-model", model,
        "--edit-format", edit_format,
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
        "--message-file", str(files.message),
    ]  # fmt: skip
