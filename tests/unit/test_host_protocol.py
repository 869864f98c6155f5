"""The Aider host's protocol and the OpenAI reply shapes it shares with the scripted model
(pure logic: lines in, typed messages out)."""

from __future__ import annotations

import json
import re

import pytest

from devteam_aider.host_protocol import (
    PROTOCOL,
    ProtocolError,
    encode,
    error_message,
    kill_request,
    output_message,
    parse_message,
    parse_ready,
    parse_request,
    ready_message,
    result_message,
    start_request,
    status_request,
)
from devteam_aider.openai_replies import chat_completion, sse_events, stream_chunks, token_usage


def test_every_request_survives_a_round_trip_with_version_and_type() -> None:
    start = start_request("a1", ["--yes"], "/w", {"HOME": "/h"}, "do it", "/acc", "/tags", 2.5)
    for request in (start, kill_request("a1", 3.0), status_request()):
        line = encode(request)
        assert line.endswith(b"\n") and json.loads(line)["v"] == PROTOCOL
        assert parse_request(line) == request


def test_a_start_request_is_coerced_to_its_types() -> None:
    raw = {"v": PROTOCOL, "type": "start", "id": "a", "argv": [1, "x"], "cwd": "/w",
           "env": {"N": 2}, "message": "m", "accounting": "/a", "tags_cache": "/t",
           "retry_timeout_s": "4"}  # fmt: skip
    start = parse_request(json.dumps(raw).encode())
    assert start["type"] == "start"
    assert start["argv"] == ["1", "x"] and start["env"] == {"N": "2"}
    assert start["retry_timeout_s"] == 4.0


@pytest.mark.parametrize(
    ("line", "error", "attempt_id"),
    [
        (b"not json", "bad request: Expecting value", None),
        (b"[1]", "bad request: a request is a JSON object", None),
        (b'{"v": 2, "type": "status", "id": "x"}', "protocol 2 is not 1", "x"),
        (b'{"v": 1, "type": "nope", "id": "y"}', "unknown type 'nope'", "y"),
        (b'{"v": 1, "type": "start", "id": "z"}', "bad start: KeyError('argv')", "z"),
        (b'{"v": 1, "type": "kill", "id": "k", "grace_s": "x"}', "bad kill:", "k"),
    ],
)
def test_a_request_the_host_cannot_serve_says_why(
    line: bytes, error: str, attempt_id: str | None
) -> None:
    with pytest.raises(ProtocolError, match="^" + re.escape(error)) as info:
        parse_request(line)
    assert info.value.attempt_id == attempt_id


def test_a_start_without_an_id_is_refused() -> None:
    raw = json.loads(encode(start_request("a", [], "/", {}, "m", "/a", "/t", 1)))
    del raw["id"]
    with pytest.raises(ProtocolError, match="missing or duplicate id"):
        parse_request(json.dumps(raw).encode())


def test_messages_are_read_back_and_checked() -> None:
    result = result_message("a", exit_code=0, signal=None, accounting={"calls": []}, duration_s=1)
    for message in (output_message("a", "line"), result, error_message("no", "a")):
        assert parse_message(encode(message)) == message
    assert "id" not in error_message("no")
    for line, why in [
        (b"[]", "a message is a JSON object"),
        (b'{"v": 1, "type": "what"}', "unknown type 'what'"),
        (b'{"v": 9, "type": "output", "id": "a", "line": "x"}', "protocol 9 is not 1"),
        (b'{"v": 1, "type": "output", "id": "a"}', "a output message without line"),
    ]:
        with pytest.raises(ProtocolError, match=why):
            parse_message(line)


def test_the_first_line_is_ready_or_says_why_not() -> None:
    ready = ready_message(7, 1, "0.86.2", 100, 90, None, 1.5)
    assert parse_ready(encode(ready)) == ready
    with pytest.raises(ProtocolError, match=r"^aider host cannot start: boom$"):
        parse_ready(encode(error_message("aider host cannot start: boom")))
    with pytest.raises(ProtocolError, match="unexpected first message"):
        parse_ready(encode(output_message("a", "x")))
    with pytest.raises(ProtocolError, match="no ready message"):
        parse_ready(b"")


def test_a_streamed_reply_is_its_role_pieces_stop_and_usage() -> None:
    chunks = stream_chunks("abcde", "m", token_usage(3, 2), piece_chars=2, reply_id="r", created=5)
    assert [c["choices"][0]["delta"] if c["choices"] else None for c in chunks] == [
        {"role": "assistant", "content": ""}, {"content": "ab"}, {"content": "cd"},
        {"content": "e"}, {}, None]  # fmt: skip
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"] == {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    assert {(c["id"], c["created"], c["model"]) for c in chunks} == {("r", 5, "m")}
    events = list(sse_events(chunks))
    assert events[-1] == "data: [DONE]\n\n"
    assert [json.loads(e.removeprefix("data: ")) for e in events[:-1]] == chunks


def test_a_whole_reply_has_fresh_ids_unless_given() -> None:
    first = chat_completion("hi", "m", token_usage(1, 1))
    second = chat_completion("hi", "m", token_usage(1, 1))
    assert first["id"].startswith("chatcmpl-") and first["id"] != second["id"]
    assert first["choices"][0]["message"] == {"role": "assistant", "content": "hi"}
    assert chat_completion("hi", "m", token_usage(1, 1), reply_id="w", created=0)["id"] == "w"
