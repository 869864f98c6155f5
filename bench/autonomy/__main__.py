"""`make bench-autonomy`: the share of atomic tasks the product completes without a human.

    python -m bench.autonomy                        # offline: the scripted model, designed outcome
    python -m bench.autonomy --model openai/gpt-4o-mini --api-base https://api.openai.com/v1 \\
        --api-key-env OPENAI_API_KEY                # any OpenAI-compatible endpoint

Writes `bench/results/autonomy.json`. Offline, the result also carries `expected` and the run
fails unless the measurement equals it exactly.
"""

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.autonomy import scripted
from bench.autonomy.check import check_corpus
from bench.autonomy.corpus import load_corpus
from bench.autonomy.harness import ModelSpec, run_corpus, summarise, write_result
from devteam_scripted_model.launcher import scripted_model_server

RESULT = Path(__file__).resolve().parents[1] / "results" / "autonomy.json"
SCRIPTED_KEY_ENV = "AUTONOMY_SCRIPTED_KEY"
COMPARED = ("completed", "completed_first_try", "repairs", "hidden_tests_passed",
            "failed_by_reason")  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench.autonomy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--model", help="model name as Aider takes it; default: scripted")
    parser.add_argument("--api-base", help="OpenAI-compatible endpoint of --model")
    parser.add_argument("--api-key-env", help="environment variable holding the key")
    parser.add_argument("--edit-format", choices=["whole", "diff", "diff-fenced", "udiff"])
    parser.add_argument("--input-usd-per-mtok", type=float)
    parser.add_argument("--output-usd-per-mtok", type=float)
    parser.add_argument("--repairs", type=int, default=2, help="repair attempts per task")
    parser.add_argument("--only", action="append", default=[], help="task key, e.g. shop/2.1")
    parser.add_argument("--out", type=Path, default=RESULT)
    parser.add_argument(
        "--no-locate", action="store_true",
        help="IMPLEMENT puts only the files a task names in the chat (the baseline of ranking)",
    )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the harness; 0 when it ran (and, offline, matched what was designed)."""
    args = _parser().parse_args(argv)
    repos = load_corpus()
    if args.only:
        for repo in repos:
            repo.tasks[:] = [t for t in repo.tasks if t.key in args.only]
    started = time.monotonic()
    locate_env = {"DEVTEAM_LOCATE_FILES": "false"} if args.no_locate else {}
    if args.model:
        if not args.api_base or not args.api_key_env:
            print("--model needs --api-base and --api-key-env", file=sys.stderr)
            return 2
        if args.api_key_env not in os.environ:
            print(f"note: ${args.api_key_env} is not set; the endpoint gets no key", flush=True)
        model = ModelSpec(args.model, args.api_base, args.api_key_env, args.edit_format,
                          args.input_usd_per_mtok, args.output_usd_per_mtok)  # fmt: skip
        print(f"autonomy: {model.name} at {model.api_base}", flush=True)
        outcomes = asyncio.run(run_corpus(repos, model, args.repairs, locate_env))
        result: dict[str, Any] = summarise(model, outcomes)
        matches = True
    else:
        problems = check_corpus()
        if problems:
            print("the corpus is not sound:\n" + "\n".join(problems), file=sys.stderr)
            return 1
        with scripted_model_server() as server:
            server.set_scenario(scripted.scenario(repos))
            model = ModelSpec("openai/scripted", server.api_base, SCRIPTED_KEY_ENV)
            print("autonomy: the SCRIPTED model (offline; outcomes designed)", flush=True)
            env = {SCRIPTED_KEY_ENV: "scripted-key", **locate_env}
            outcomes = asyncio.run(run_corpus(repos, model, args.repairs, env))
        result = summarise(model, outcomes)
        result["api_base"] = "scripted model server on loopback"
        result["expected"] = scripted.expected(repos, args.repairs)
        matches = all(result[k] == result["expected"][k] for k in COMPARED)
        result["matches_expected"] = matches
    result["repair_attempts"] = args.repairs
    result["locate_files"] = not args.no_locate
    result["duration_s"] = round(time.monotonic() - started, 1)
    result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_result(args.out, result)
    summary = {k: v for k, v in result.items() if k != "per_task"}
    print(f"wrote {args.out}:")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    if not matches:
        print("the measurement does not match the designed outcome", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
