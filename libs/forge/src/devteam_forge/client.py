"""The forge client: the few pull-request calls landing needs, over the forge's REST API, with
retries. The token travels in one request header and nowhere else: not in URLs, logs,
errors or events."""

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
)

from devteam_contracts.landing import PullRequestRef
from devteam_forge.errors import AlreadyExistsError, ForgeAuthError, ForgeError
from devteam_forge.settings import ForgeSettings
from devteam_sandbox.redact import redact

State = Literal["open", "closed", "merged"]
USER_AGENT = "devteam-runner"
_MESSAGE_CHARS = 300


@dataclass(frozen=True)
class PullRequest:
    """A pull request (GitLab: merge request) as the forge returned it."""

    number: int
    url: str
    head: str
    base: str
    body: str
    state: State
    same_repository: bool  # its head branch is in the repository itself (not a fork)

    def ref(self) -> PullRequestRef:
        """What runs record and events carry."""
        return PullRequestRef(number=self.number, url=self.url)


class _Retry(Exception):
    """An answer worth another try (the forge is busy, down, rate limiting or away), and how
    long the forge asked us to wait, if it said."""

    def __init__(self, error: ForgeError, after_s: float | None = None) -> None:
        super().__init__(error.reason)
        self.error = error
        self.after_s = after_s


class ForgeClient(ABC):
    """One forge, one repository, one token."""

    name: str

    def __init__(
        self,
        api_base: str,
        repository: str,
        token: str,
        settings: ForgeSettings,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.repository = repository
        self._token = token
        self._settings = settings
        self._http = httpx.AsyncClient(
            base_url=api_base.rstrip("/"),
            headers={"User-Agent": USER_AGENT, **self._auth_headers(token)},
            timeout=settings.forge_timeout_s,
            follow_redirects=False,
            transport=transport,
        )

    async def __aenter__(self) -> "ForgeClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._http.aclose()

    # The calls, per forge.

    @abstractmethod
    def _auth_headers(self, token: str) -> dict[str, str]: ...

    @abstractmethod
    async def open_pulls(self, base: str, head: str | None = None) -> list[PullRequest]:
        """Open pull requests into `base` (from `head` only, when given)."""

    @abstractmethod
    async def _create(self, head: str, base: str, title: str, body: str) -> PullRequest: ...

    @abstractmethod
    async def get(self, number: int) -> PullRequest:
        """The pull request `number`, as it is now."""

    @abstractmethod
    async def update_body(self, number: int, body: str) -> PullRequest:
        """Replace the description of pull request `number`."""

    # What landing builds on them.

    async def find_open(self, head: str, base: str) -> PullRequest | None:
        """The open pull request from `head` (a branch of the repository) into `base`."""
        found = [
            p
            for p in await self.open_pulls(base, head)
            if p.head == head and p.base == base and p.same_repository
        ]
        return max(found, key=lambda p: p.number) if found else None

    async def ensure(self, head: str, base: str, title: str, body: str) -> tuple[PullRequest, bool]:
        """The open pull request from `head` into `base`: the one there is, else a new one
        (and whether it is new). A forge refusing a second one for the same branches (a
        concurrent or earlier call opened it) is answered by looking it up again."""
        found = await self.find_open(head, base)
        if found is not None:
            return found, False
        try:
            return await self._create(head, base, title, body), True
        except AlreadyExistsError:
            found = await self.find_open(head, base)
            if found is None:
                raise
            return found, False

    # HTTP, errors and retries.

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        creating: bool = False,
    ) -> Any:
        """The JSON the forge answers `method path` with, retried while it is worth it."""
        settings = self._settings
        retrying = AsyncRetrying(
            stop=stop_after_attempt(settings.forge_attempts)
            | stop_after_delay(settings.forge_deadline_s),
            wait=self._wait,
            retry=retry_if_exception_type(_Retry),
            reraise=True,
        )
        tries = 0
        try:
            async for attempt in retrying:
                with attempt:
                    tries += 1
                    return await self._once(method, path, params, json, data, creating)
        except _Retry as exc:
            error = exc.error
            raise type(error)(f"{error.reason} (tried {tries} times)", error.status) from None
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying returns or raises

    async def _once(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: dict[str, Any] | None,
        data: dict[str, Any] | None,
        creating: bool,
    ) -> Any:
        what = f"{self.name} {method} {path}"
        try:
            response = await self._http.request(method, path, params=params, json=json, data=data)
        except httpx.TransportError as exc:
            raise _Retry(ForgeError(f"{what}: no answer ({type(exc).__name__})")) from None
        status = response.status_code
        if 200 <= status < 300:
            try:
                return response.json()
            except ValueError:
                raise ForgeError(f"{what}: {status} with a body that is not JSON", status) from None
        message = redact(error_message(response), [self._token])
        reason = f"{what}: {status} {message}".rstrip()
        if status == 429 or status >= 500 or (status == 403 and _rate_limited(response)):
            raise _Retry(ForgeError(reason, status), retry_after(response))
        if status in (401, 403):
            raise ForgeAuthError(f"{reason} (check the token and its permissions)", status)
        if creating and status in (409, 422) and "exist" in message.lower():
            raise AlreadyExistsError(reason, status)
        raise ForgeError(reason, status)

    def _wait(self, state: RetryCallState) -> float:
        failed = state.outcome.exception() if state.outcome else None
        asked = failed.after_s if isinstance(failed, _Retry) else None
        return wait_s(self._settings, state.attempt_number, asked)


def wait_s(settings: ForgeSettings, tries: int, asked_s: float | None) -> float:
    """How long to wait after `tries` failed tries: exponential back-off from 0.25 s, or
    longer when the forge said how long (`asked_s`: `Retry-After`, a rate limit's reset),
    never more than `forge_max_wait_s`."""
    backoff = 0.25 * 2.0 ** (tries - 1)
    return min(max(backoff, asked_s or 0.0), settings.forge_max_wait_s)


def error_message(response: httpx.Response) -> str:
    """What the forge said went wrong, in one short line: the `message` of its JSON error, never
    a page of text (whatever answers at `api_base` is not echoed into the run)."""
    try:
        body = response.json()
    except ValueError:
        return "(an answer that is not JSON)"
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, list):
            parts += [str(v) for v in value]
        elif isinstance(value, dict):
            parts += [f"{k}: {v}" for k, v in value.items()]
        elif value:
            parts.append(str(value))
    for error in body.get("errors") or []:  # GitHub's validation details
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
    return "; ".join(parts)[:_MESSAGE_CHARS].replace("\n", " ")


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """The seconds the forge asks us to wait: `Retry-After` (seconds), or until a spent rate
    limit resets (`X-RateLimit-Reset`, epoch seconds); None when it does not say."""
    headers = response.headers
    try:
        if "retry-after" in headers:
            return max(0.0, float(headers["retry-after"]))
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            reset = float(headers["x-ratelimit-reset"])
            return max(0.0, reset - (time.time() if now is None else now))
    except ValueError:  # an HTTP date, or junk: back off as usual
        return None
    return None


def _rate_limited(response: httpx.Response) -> bool:
    """A 403 that is GitHub's rate limit (primary or secondary), not a refusal."""
    headers = response.headers
    return headers.get("x-ratelimit-remaining") == "0" or "retry-after" in headers
