"""Every error answer is problem details (RFC 9457, `application/problem+json`): `type`,
`title`, `status`, `detail`, and `errors` (each with the `loc` of the field) where fields are
to blame. Nothing of the request is echoed back: no input values (a secret, a lone surrogate
that cannot be encoded), only where and why."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from nats.errors import ConnectionClosedError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devteam_bus.connection import TRANSIENT
from devteam_contracts.base import Problem

PROBLEM = "application/problem+json"
# Documented on every operation: what an error answer looks like.
RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": HTTPStatus(code).phrase,
           "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code in (400, 401, 402, 404, 409, 413, 422, 429, 503)
}  # fmt: skip


def problem(
    status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """A problem-details response."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, **extra}  # fmt: skip
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM)


def _clean(text: object) -> str:
    return str(text).encode("utf-8", "backslashreplace").decode("utf-8")


def field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validation errors without their inputs, safe to encode."""
    return [
        {"loc": [_clean(p) if isinstance(p, str) else p for p in e.get("loc", ())],
         "msg": _clean(e.get("msg", "")), "type": _clean(e.get("type", "value_error"))}
        for e in errors
    ]  # fmt: skip


def summary(errors: list[dict[str, Any]]) -> str:
    """`body.model.name: field required; …` (at most five)."""
    parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors[:5]]
    more = f" (+{len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(parts) + more


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    detail: Any = exc.detail
    extra: dict[str, Any] = {}
    if isinstance(detail, list):  # field errors raised by a route
        extra["errors"] = field_errors(detail)
        detail = summary(extra["errors"])
    elif isinstance(detail, dict):  # a structured problem (e.g. a task list's lines)
        extra = {k: v for k, v in detail.items() if k != "message"}
        detail = detail.get("message", "")
    return problem(exc.status_code, _clean(detail), dict(exc.headers or {}), **extra)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = field_errors(list(exc.errors()))
    return problem(422, summary(errors), errors=errors)


# What a 503 while NATS is away suggests: the embedded NATS restarts in about a second.
UNAVAILABLE_RETRY_AFTER_S = 2


async def _nats_unavailable(request: Request, exc: Exception) -> JSONResponse:
    return problem(
        503,
        f"the message bus is unavailable ({type(exc).__name__}); retry shortly",
        {"Retry-After": str(UNAVAILABLE_RETRY_AFTER_S)},
    )


def install(app: FastAPI) -> None:
    """Answer every HTTP and validation error as problem details, and say so in the OpenAPI
    (every operation documents `RESPONSES`; FastAPI's own 422 schema is replaced)."""
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for error in (*TRANSIENT, ConnectionClosedError):
        app.add_exception_handler(error, _nats_unavailable)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            schemas.update(problem_schema.pop("$defs", {}))
            schemas["Problem"] = problem_schema
            for name in ("HTTPValidationError", "ValidationError"):
                schemas.pop(name, None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class BodyLimit:
    """ASGI middleware: a request body over `max_bytes` is a 413, by its Content-Length or by
    counting what arrives (chunked bodies), before a route ever reads it whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # an HTTPException, so the route's body parsing passes it on as it is
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counted, send)

    def _too_large(self) -> str:
        return f"the request body is larger than {self.max_bytes} bytes"

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, self._too_large())
        await response(scope, receive, send)
