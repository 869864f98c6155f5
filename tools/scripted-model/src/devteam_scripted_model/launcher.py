"""Start the scripted model server as a real subprocess on a free loopback port (for tests)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devteam_scripted_model.scenario import Scenario


@dataclass(frozen=True)
class ScriptedModelServer:
    """A running server: where to reach it and the process behind it."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The OpenAI-compatible base URL (what OPENAI_API_BASE should be)."""
        return f"{self.base_url}/v1"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - always our own http://127.0.0.1 URL
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def set_scenario(self, scenario: Scenario | dict[str, Any]) -> None:
        """Replace the scenario (and reset `times` counters); the request log is kept."""
        payload = scenario.model_dump() if isinstance(scenario, Scenario) else scenario
        self._call("PUT", "/_scenario", payload)

    def requests(self) -> list[dict[str, Any]]:
        """Every request recorded since start or the last clear."""
        result: list[dict[str, Any]] = self._call("GET", "/_requests")
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/_requests")


@contextmanager
def scripted_model_server(
    scenario_file: Path | None = None,
    record_file: Path | None = None,
    start_timeout_s: float = 20.0,
) -> Iterator[ScriptedModelServer]:
    """Run `python -m devteam_scripted_model.main` on a free port until the block exits."""
    with tempfile.TemporaryDirectory(prefix="scripted-model-") as tmp:
        port_file = Path(tmp) / "port"
        argv = [sys.executable, "-m", "devteam_scripted_model.main", "--port", "0"]
        argv += ["--port-file", str(port_file)]
        if scenario_file is not None:
            argv += ["--scenario", str(scenario_file)]
        if record_file is not None:
            argv += ["--record", str(record_file)]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + start_timeout_s
            while not port_file.exists():
                if process.poll() is not None:
                    raise RuntimeError(f"scripted model server exited with {process.returncode}")
                if time.monotonic() > deadline:
                    raise TimeoutError("scripted model server did not report its port")
                time.sleep(0.05)
            yield ScriptedModelServer(int(port_file.read_text().strip()), process)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
