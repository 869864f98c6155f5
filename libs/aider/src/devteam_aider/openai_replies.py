"""OpenAI-compatible replies: the JSON bodies and the event stream `/v1/chat/completions` sends.

Both of our stand-in models answer in these shapes: the scripted model (`devteam_scripted_model`,
the server tests, benchmarks and the demo talk to) and the Aider host's warm-up model (one canned
reply the host serves itself while it learns what an attempt imports). Stdlib only, because the
host loads it in Aider's own environment; it lives in this package, beside the host, because the
implement image installs this package and not the scripted model.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Literal, NotRequired, TypedDict

STREAM_PIECE_CHARS = 80


class Usage(TypedDict):
    """The token counts of one completion."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(TypedDict):
    """The model's whole answer in a reply that is not streamed."""

    role: Literal["assistant"]
    content: str


class Choice(TypedDict):
    """The one choice of a reply that is not streamed."""

    index: int
    message: AssistantMessage
    finish_reason: str


class ChatCompletion(TypedDict):
    """A whole reply (the request's `stream` was false)."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: Usage


class Delta(TypedDict, total=False):
    """What one event of a stream adds to the answer."""

    role: Literal["assistant"]
    content: str


class ChunkChoice(TypedDict):
    """The one choice of a streamed event; `finish_reason` is set on the last one only."""

    index: int
    delta: Delta
    finish_reason: str | None


class ChatCompletionChunk(TypedDict):
    """One event of a streamed reply; a last event with no choices carries the usage."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: NotRequired[Usage]


class ErrorDetail(TypedDict):
    """Why a request failed, as OpenAI's clients read it."""

    message: str
    type: NotRequired[str]
    code: NotRequired[int]


class ErrorReply(TypedDict):
    """The body of a failed request."""

    error: ErrorDetail


class ModelCard(TypedDict):
    """One entry of `/v1/models`."""

    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(TypedDict):
    """The body of `/v1/models`."""

    object: Literal["list"]
    data: list[ModelCard]


def token_usage(prompt_tokens: int, completion_tokens: int) -> Usage:
    """A usage block: the two counts and their total."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def _identity(reply_id: str | None, created: int | None) -> tuple[str, int]:
    fresh_id = reply_id or f"chatcmpl-{uuid.uuid4().hex}"
    return fresh_id, int(time.time()) if created is None else created


def chat_completion(
    reply: str, model: str, usage: Usage, *, reply_id: str | None = None, created: int | None = None
) -> ChatCompletion:
    """A whole reply saying `reply`; the id and creation time are fresh unless given."""
    reply_id, created = _identity(reply_id, created)
    return {
        "id": reply_id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply},
                "finish_reason": "stop",
            }
        ],
        "usage": usage,
    }


def stream_chunks(
    reply: str,
    model: str,
    usage: Usage | None = None,
    *,
    piece_chars: int = STREAM_PIECE_CHARS,
    reply_id: str | None = None,
    created: int | None = None,
) -> list[ChatCompletionChunk]:
    """The events of a streamed reply saying `reply`: the assistant's role, the text in pieces
    of `piece_chars`, the `stop`, and with `usage` a last event carrying it (what a request's
    `stream_options.include_usage` asks for). All share one id and creation time."""
    reply_id, created = _identity(reply_id, created)

    def chunk(delta: Delta, finish: str | None) -> ChatCompletionChunk:
        return {
            "id": reply_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    out = [chunk({"role": "assistant", "content": ""}, None)]
    for start in range(0, len(reply), piece_chars):
        out.append(chunk({"content": reply[start : start + piece_chars]}, None))
    out.append(chunk({}, "stop"))
    if usage is not None:
        last = chunk({}, None)
        last["choices"] = []
        last["usage"] = usage
        out.append(last)
    return out


def sse_events(chunks: Iterable[ChatCompletionChunk]) -> Iterator[str]:
    """A stream as server-sent events: one `data:` event per chunk, then `data: [DONE]`."""
    for item in chunks:
        yield f"data: {json.dumps(item)}\n\n"
    yield "data: [DONE]\n\n"


def error_reply(message: str, kind: str | None = None, code: int | None = None) -> ErrorReply:
    """The body of a failed request; `kind` and `code` only when given."""
    detail: ErrorDetail = {"message": message}
    if kind is not None:
        detail["type"] = kind
    if code is not None:
        detail["code"] = code
    return {"error": detail}


def model_list(model_ids: Iterable[str], owned_by: str) -> ModelList:
    """The body of `/v1/models` listing `model_ids`."""
    cards: list[ModelCard] = [
        {"id": model_id, "object": "model", "created": 0, "owned_by": owned_by}
        for model_id in model_ids
    ]
    return {"object": "list", "data": cards}
