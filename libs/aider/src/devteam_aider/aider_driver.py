"""Runs Aider's CLI with only the files named on its command line.

Executed as a script by the *aider environment's* python (`python -I -u aider_driver.py
TAGS_CACHE_DIR -- <aider args>`); never imported by the workspace. Aider's CLI merges settings
from files it discovers by itself: `.aider.conf.yml` (cwd, git root, home), `.env` (home, git
root, cwd, plus --env-file), `.aider.model.settings.yml` and `.aider.model.metadata.json` (home,
git root, cwd). A repository under work could use those to change the model, the API base (and
so where the API key is sent), or to run commands (`auto-test` + `test-cmd`). Explicit flags do
not stop that, so this driver switches discovery off before calling `aider.main.main`: no config
file, no dotenv file at all, and model settings/metadata only from the files we pass. It also
moves the repo-map tags cache out of the work tree.
"""

import sys
from pathlib import Path


def _only_explicit(default_file, git_root, command_line_file):  # type: ignore[no-untyped-def]
    # Replaces aider.main.generate_search_path_list: search nowhere, keep only what we passed.
    return [str(Path(command_line_file).resolve())] if command_line_file else []


def _no_dotenv(git_root, dotenv_fname, encoding="utf-8"):  # type: ignore[no-untyped-def]
    return []


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[2] != "--":
        print("usage: aider_driver.py TAGS_CACHE_DIR -- <aider args>", file=sys.stderr)
        return 2
    tags_cache_dir, aider_argv = sys.argv[1], sys.argv[3:]

    import aider.main as aider_main  # type: ignore[import-not-found]
    import aider.repomap as aider_repomap  # type: ignore[import-not-found]

    # Fail loudly rather than run unprotected if a different Aider moved these hooks.
    for name in ("get_parser", "load_dotenv_files", "generate_search_path_list", "main"):
        if not hasattr(aider_main, name):
            print(f"aider_driver: aider.main.{name} not found; unsupported Aider", file=sys.stderr)
            return 3
    if not hasattr(aider_repomap.RepoMap, "TAGS_CACHE_DIR"):
        print("aider_driver: RepoMap.TAGS_CACHE_DIR not found; unsupported Aider", file=sys.stderr)
        return 3

    original_get_parser = aider_main.get_parser

    def get_parser(default_config_files, git_root):  # type: ignore[no-untyped-def]
        return original_get_parser([], git_root)

    aider_main.get_parser = get_parser
    aider_main.load_dotenv_files = _no_dotenv
    aider_main.generate_search_path_list = _only_explicit
    # An absolute path: RepoMap joins it onto the repo root, which then drops the root.
    aider_repomap.RepoMap.TAGS_CACHE_DIR = str(Path(tags_cache_dir).resolve())

    result = aider_main.main(aider_argv)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
