"""`make bench`: run every benchmark and write `bench/results/<name>.json`.

Absolute numbers on these machines are noisy; each benchmark that compares reports a ratio
against a baseline measured in the same run.
"""

import json
import sys
import time
from pathlib import Path

from bench import (
    bench_implement,
    bench_pipeline,
    bench_prep,
    bench_tasklist,
    environments,
    landing,
    load,
    locate,
    sandbox,
    steps,
    streams,
)

RESULTS = Path(__file__).parent / "results"
BENCHMARKS = {
    "tasklist": bench_tasklist.run,
    "prep": bench_prep.run,
    "sandbox": sandbox.run,
    "environments": environments.run,
    "locate": locate.run,
    "implement": bench_implement.run,
    "pipeline": bench_pipeline.run,
    "landing": landing.run,
    "load": load.run,
    "steps": steps.run,
    "streams": streams.run,
}


def main(names: list[str]) -> None:
    """Run the named benchmarks (all by default) and write their results."""
    RESULTS.mkdir(exist_ok=True)
    for name in names or list(BENCHMARKS):
        started = time.monotonic()
        result = BENCHMARKS[name]()
        result["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"{name} ({time.monotonic() - started:.0f} s): {json.dumps(result)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
