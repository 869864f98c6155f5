"""The OpenAI-compatible HTTP app: chat completions answered from a scenario, and a request log.

The reply shapes come from `devteam_aider.openai_replies`, which the Aider host's warm-up model
answers with too.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from devteam_aider.openai_replies import (
    ChatCompletionChunk,
    Usage,
    chat_completion,
    error_reply,
    model_list,
    sse_events,
    stream_chunks,
    token_usage,
)
from devteam_scripted_model.scenario import Answer, Router, Scenario, ScenarioError, parse_scenario


class RequestLog:
    """Every request the server answered, in memory and optionally appended to a JSONL file."""

    def __init__(self, record_file: Path | None = None) -> None:
        self.entries: list[dict[str, Any]] = []
        self.record_file = record_file

    def add(self, entry: dict[str, Any]) -> None:
        """Log a request as it arrives (a test can see a stalled request)."""
        self.entries.append(entry)

    def done(self, entry: dict[str, Any]) -> None:
        """The request has been answered: append it to the record file."""
        if self.record_file is not None:
            with self.record_file.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry) + "\n")


def _key_digest(authorization: str) -> str | None:
    # A digest, never the key: enough for a test to check which key arrived.
    scheme, _, key = authorization.partition(" ")
    if scheme.lower() != "bearer" or not key:
        return None
    return hashlib.sha256(key.strip().encode()).hexdigest()


def _usage(messages: list[dict[str, Any]], reply: str) -> Usage:
    # A rough count is enough: Aider only displays it.
    prompt = sum(len(json.dumps(m)) for m in messages) // 4 + 1
    return token_usage(prompt, len(reply) // 4 + 1)


async def _sse(chunks: list[ChatCompletionChunk]) -> AsyncIterator[str]:
    for event in sse_events(chunks):
        yield event


def _error(answer: Answer) -> JSONResponse:
    status = answer.status or 500
    message = answer.reply or f"scripted error from rule {answer.rule}"
    return JSONResponse(error_reply(message, "scripted_error", status), status_code=status)


def create_app(scenario: Scenario | None = None, record_file: Path | None = None) -> FastAPI:
    """Build the app; `scenario` may be replaced later with PUT /_scenario."""
    app = FastAPI(title="DevTeam scripted model")
    state: dict[str, Router] = {"router": Router(scenario or Scenario())}
    log = RequestLog(record_file)
    app.state.request_log = log

    @app.get("/v1/models")
    async def list_models() -> JSONResponse:
        return JSONResponse(model_list(["scripted"], owned_by="devteam"))

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        received = time.monotonic()
        body = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return JSONResponse(error_reply("messages must be a list"), 400)
        messages: list[dict[str, Any]] = [m for m in body["messages"] if isinstance(m, dict)]
        model = str(body.get("model", "scripted"))
        stream = bool(body.get("stream", False))
        answer = state["router"].route(messages)
        entry = {
            "ts": time.time(),
            "rule": answer.rule,
            "kind": answer.kind,
            "status": answer.status or 200,
            "stream": stream,
            "model": model,
            "key_sha256": _key_digest(request.headers.get("authorization", "")),
            "max_tokens": body.get("max_tokens"),
            "messages": messages,
            "answer_s": None,
        }
        log.add(entry)
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        # How long this server took to answer (the scripted delay included), so a caller can
        # tell its own overhead from the model's time.
        entry["answer_s"] = round(time.monotonic() - received, 6)
        log.done(entry)
        if answer.status is not None:
            return _error(answer)
        if not stream:
            return JSONResponse(
                chat_completion(answer.reply, model, _usage(messages, answer.reply))
            )
        options = body.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))
        usage = _usage(messages, answer.reply) if include_usage else None
        chunks = stream_chunks(answer.reply, model, usage)
        return StreamingResponse(_sse(chunks), media_type="text/event-stream")

    @app.get("/_requests")
    async def get_requests() -> list[dict[str, Any]]:
        return log.entries

    @app.delete("/_requests")
    async def clear_requests() -> dict[str, int]:
        cleared = len(log.entries)
        log.entries.clear()
        return {"cleared": cleared}

    @app.get("/_scenario")
    async def get_scenario() -> dict[str, Any]:
        return state["router"].scenario.model_dump()

    @app.put("/_scenario")
    async def put_scenario(request: Request) -> Response:
        try:
            new = parse_scenario(await request.json(), "PUT /_scenario")
        except (ScenarioError, ValueError) as exc:
            return JSONResponse(error_reply(str(exc)), status_code=422)
        state["router"] = Router(new)
        return JSONResponse({"rules": len(new.rules)})

    return app
