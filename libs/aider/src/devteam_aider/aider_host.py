"""The Aider host: imports Aider once, then forks one fresh child per attempt.

Executed by the *aider environment's* python (`python -I -u aider_host.py`), never imported by
the workspace. Start-up imports Aider and litellm, runs one warm-up attempt in a forked child
against a canned model served by this process (`host_warmup`, so every module a real attempt
needs is known), imports those modules here (`host_preload`), then reports `ready`. From then on
each `start` forks a child (`host_loop`) that runs `aider_driver.run_attempt` in its own
session, with only the environment, directory and arguments of that request: no chat, key,
repository or model state exists in the host to carry over, because the host itself never runs
an attempt.

The host never starts a thread (BLAS pools are held at one thread before numpy is imported) and
checks `/proc/self/task` before every fork, refusing to fork otherwise: forking a process with
threads can deadlock the child on a lock another thread held.

Protocol: JSON lines on stdin (requests) and stdout (messages), typed in `host_protocol` (which
the client, `host.py`, uses too): `start`, `kill` and `status` requests; `ready`, `started`,
`output`, `result`, `status` and `error` messages. End of stdin means the client is gone: every
child's group is killed and the host exits.

Aider's environment has none of the workspace's packages, so the host's own modules (stdlib
only) are imported from beside this file, as the `devteam_aider` package without its
`__init__` (which is the workspace's client and needs the workspace).
"""

from __future__ import annotations

import gc
import importlib.machinery
import importlib.util
import os
import signal
import sys
import time
from pathlib import Path

_PACKAGE = "devteam_aider"


def _use_own_package() -> None:
    """Make this file's directory the `devteam_aider` package, without running `__init__`."""
    if _PACKAGE in sys.modules:  # imported as part of the package (type checks, tests)
        return
    spec = importlib.machinery.ModuleSpec(_PACKAGE, None, is_package=True)
    spec.submodule_search_locations = [str(Path(__file__).parent)]
    sys.modules[_PACKAGE] = importlib.util.module_from_spec(spec)


def main() -> int:
    """Start up (import, warm up), report `ready`, then serve until stdin closes.

    The modules a real attempt imports are learnt from a warm-up attempt once and kept beside
    the environment (`host_preload.PRELOAD_FILE`, keyed by the Aider and Python versions);
    `--write-preload` only does that (an install step) and exits.
    """
    started = time.monotonic()
    # Before anything imports numpy: its BLAS would start a thread pool, and the host must stay
    # single-threaded to fork safely.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    _use_own_package()
    from devteam_aider.host_protocol import encode, error_message, ready_message

    try:
        import aider  # type: ignore[import-not-found]
        import aider.main  # type: ignore[import-not-found]
        import litellm  # type: ignore[import-not-found]  # noqa: F401

        from devteam_aider import host_preload as preload
        from devteam_aider.host_loop import Host, threads
        from devteam_aider.host_warmup import warm_up

        version = str(getattr(aider, "__version__", "?"))
        modules, warm_error = preload.cached_modules(version), None
        if modules is None or "--write-preload" in sys.argv:
            modules, warm_error = warm_up()
            if warm_error is None:
                preload.store_modules(version, modules)
            if "--write-preload" in sys.argv:
                print(warm_error or f"wrote {preload.PRELOAD_FILE} ({len(modules)} modules)")
                return 1 if warm_error else 0
        imported = preload.import_all(modules)
        preload.build_models([m for m in modules if m.startswith(preload.MODEL_MARK)])
        preload.warm_pure_caches()
    except BaseException as exc:  # report why, then exit: the client falls back to the CLI
        why = f"aider host cannot start: {type(exc).__name__}: {exc}"
        print(encode(error_message(why)).decode(), end="", flush=True)
        return 1
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker, which stops us
    gc.collect()
    gc.freeze()  # children then share these pages instead of copying them on first GC
    ready = ready_message(
        pid=os.getpid(),
        threads=threads(),
        aider=version,
        modules=len(sys.modules),
        preloaded=imported,
        warmup_error=warm_error,
        startup_s=round(time.monotonic() - started, 3),
    )
    print(encode(ready).decode(), end="", flush=True)
    # The protocol gets its own descriptor; anything an imported module prints goes to stderr.
    out_fd = os.dup(1)
    os.dup2(2, 1)
    Host(out_fd).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
