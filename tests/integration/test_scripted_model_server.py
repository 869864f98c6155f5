"""The scripted model server as a real subprocess on a free loopback port, called over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_scripted_model import ScriptedModelServer, scripted_model_server

SCENARIO = """
rules:
  - name: hello
    when: "say hello"
    reply: >-
      Hello there, this reply is long enough to be split
      into more than one chunk by the server.
  - name: broken
    when: "break"
    status: 503
    times: 1
  - name: commit
    kind: commit_message
    reply: "fix: scripted"
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ScriptedModelServer, Path]]:
    tmp = tmp_path_factory.mktemp("scripted")
    scenario = tmp / "scenario.yaml"
    scenario.write_text(SCENARIO)
    record = tmp / "requests.jsonl"
    with scripted_model_server(scenario, record) as running:
        yield running, record


@pytest.fixture
def client(server: tuple[ScriptedModelServer, Path]) -> Iterator[httpx.Client]:
    running, _ = server
    running.clear_requests()
    with httpx.Client(base_url=running.api_base, timeout=10) as http:
        yield http


def chat(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": "scripted", "messages": [{"role": "user", "content": text}], **extra}


def test_non_streaming_completion(client: httpx.Client) -> None:
    response = client.post("/chat/completions", json=chat("please say hello"))
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"]["content"].startswith("Hello there")
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"]["total_tokens"] > 0


def test_streaming_completion_is_sse_ending_with_done(client: httpx.Client) -> None:
    payload = chat("please say hello", stream=True, stream_options={"include_usage": True})
    with client.stream("POST", "/chat/completions", json=payload) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        data = [
            line[len("data: ") :] for line in response.iter_lines() if line.startswith("data: ")
        ]
    assert data[-1] == "[DONE]"
    chunks = [json.loads(item) for item in data[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text.startswith("Hello there")
    assert text.endswith("chunk by the server.")
    assert len([c for c in chunks if c["choices"]]) > 3
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[-1] == "stop"
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] > 0


def test_error_injection_times_then_fallback(client: httpx.Client) -> None:
    first = client.post("/chat/completions", json=chat("break it"))
    assert first.status_code == 503
    assert first.json()["error"]["type"] == "scripted_error"
    second = client.post("/chat/completions", json=chat("break it"))
    assert second.status_code == 200
    assert second.json()["choices"][0]["message"]["content"] == "no scripted reply matched"


def test_models_endpoint(client: httpx.Client) -> None:
    body = client.get("/models").json()
    assert body["object"] == "list"
    assert body["data"][0]["id"] == "scripted"


def test_requests_are_recorded_in_memory_and_jsonl(
    server: tuple[ScriptedModelServer, Path], client: httpx.Client
) -> None:
    running, record = server
    commit = {
        "model": "scripted",
        "messages": [
            {"role": "system", "content": "Generate a one-line Git commit message."},
            {"role": "user", "content": "# Diffs:\n+x"},
        ],
    }
    reply = client.post("/chat/completions", json=commit).json()
    assert reply["choices"][0]["message"]["content"] == "fix: scripted"
    client.post("/chat/completions", json=chat("say hello"))
    logged = running.requests()
    assert [(e["rule"], e["kind"]) for e in logged] == [
        ("commit", "commit_message"),
        ("hello", "edit"),
    ]
    assert logged[1]["messages"] == [{"role": "user", "content": "say hello"}]
    assert isinstance(logged[0]["ts"], float)
    on_disk = [json.loads(line) for line in record.read_text().splitlines()]
    assert on_disk[-2:] == logged
    running.clear_requests()
    assert running.requests() == []


def test_scenario_can_be_replaced_at_runtime(
    server: tuple[ScriptedModelServer, Path], client: httpx.Client
) -> None:
    running, _ = server
    original = client.get(f"{running.base_url}/_scenario").json()
    assert [rule["name"] for rule in original["rules"]] == ["hello", "broken", "commit"]
    bad = client.put(f"{running.base_url}/_scenario", json={"rules": [{"name": "x", "bogus": 1}]})
    assert bad.status_code == 422
    assert "bogus" in bad.json()["error"]["message"]
    running.set_scenario({"rules": [{"name": "new", "reply": "replaced", "delay_s": 0.2}]})
    try:
        body = client.post("/chat/completions", json=chat("anything")).json()
        assert body["choices"][0]["message"]["content"] == "replaced"
    finally:
        running.set_scenario(original)
