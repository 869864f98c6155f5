"""Requests and responses checked against the forges' published API descriptions (openapi-core).

The descriptions are the slices `fetch_specs.py` writes to `.tools/forge-specs/` (`make
forge-specs`). Checked: the operation exists for the method and path; path and query
parameters (required ones present, types, enums); the request body against its schema (its
media type too: JSON for GitHub and Gitea, a form for GitLab); the security requirement (a
credential is sent where the description says). Each request is shown to openapi-core as it
would reach the real forge, its path below the fake's API root placed below the description's:

- GitHub: below `https://api.github.com`. Its description declares no security scheme and no
  request headers at all (not `Accept`, not `X-GitHub-Api-Version`), so the fake checks on its
  own that `Authorization: Bearer` (or `token`) is sent; the other headers are only recorded.
- Gitea: below `/api/v1`. Its description accepts any of seven schemes (basic, `token` and
  `access_token` query parameters, the Authorization header, sudo...); the fake also holds the
  Authorization header to the `token <token>` form the description asks for.
- GitLab: the description is of API v3 only, so a v4 request is checked as the v3 operation
  at the same place: `/api/v4/...` becomes `/api/v3/...` (v4's `{merge_request_iid}` lands on
  v3's `{merge_request_id}`, an integer too), and the `PRIVATE-TOKEN` header is shown to the
  validator under the name the description gives it, `PRIVATE_HEADER` (a conversion artefact).
  What v4 added is not checked: the list's `source_branch`/`target_branch` filters are not in
  v3 (unknown query parameters are not refused), and v4's `state=locked` would be refused by
  v3's enum. GitLab's responses are never checked: the v3 description types ids, counts and
  flags as strings and a list answer as a single object, so a faithful v4 answer cannot pass.

Answers are checked for GitHub and Gitea against the schema of the status sent. A status the
operation does not describe passes when it is an error (GitHub describes no 401 anywhere,
Gitea no 404 on create) and is a mismatch when it is a success.
"""

import functools
import json
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_core.validation.request.exceptions import SecurityValidationError
from werkzeug.datastructures import ImmutableMultiDict

from .model import Incoming, Kind

SPEC_DIR = Path(__file__).resolve().parents[2] / ".tools" / "forge-specs"

HOSTS: dict[Kind, str] = {
    "github": "https://api.github.com",
    "gitea": "http://gitea.invalid",  # the description's server is relative (/api/v1)
    "gitlab": "https://gitlab.com",  # server https://gitlab.com/api
}

# Where the fake's API roots (`/github`, `/gitlab/api/v4`, `/gitea/api/v1`) sit in the descriptions.
DESCRIBED_ROOT: dict[Kind, str] = {"github": "", "gitea": "/api/v1", "gitlab": "/api/v3"}

# Which responses are checked against the description (see the module docstring).
RESPONSES_CHECKED: frozenset[Kind] = frozenset({"github", "gitea"})


@functools.cache
def description(kind: Kind) -> OpenAPI:
    """The sliced description of `kind`, loaded once per process (openapi-core checks it)."""
    path = SPEC_DIR / f"{kind}.json"
    if not path.exists():
        raise RuntimeError(
            f"{path} is missing: run `make forge-specs` (tests/fakeforge/fetch_specs.py)"
        )
    return OpenAPI.from_dict(json.loads(path.read_text()))


def _request(incoming: Incoming) -> MockRequest:
    path = DESCRIBED_ROOT[incoming.kind] + incoming.path
    headers = dict(incoming.headers)
    if incoming.kind == "gitlab" and "private-token" in headers:
        headers["PRIVATE_HEADER"] = headers["private-token"]
    request = MockRequest(
        HOSTS[incoming.kind],
        incoming.method.lower(),
        path,
        headers=headers,
        data=incoming.raw_body or None,
        content_type=incoming.content_type or "application/octet-stream",
    )
    request.parameters.query = ImmutableMultiDict(incoming.query)  # repeated names kept
    return request


def request_errors(incoming: Incoming) -> tuple[list[str], bool, bool]:
    """(mismatches, operation_found, credentials_described): the request against the description.

    `credentials_described` is False when the description's security requirement was not met
    (for GitHub, whose description has none, when no Authorization: Bearer header was sent;
    for Gitea, also when the Authorization header has another scheme than `token`).
    """
    api = description(incoming.kind)
    errors: list[str] = []
    found, credentials = True, True
    for error in api.iter_request_errors(_request(incoming)):
        if isinstance(error, PathError):
            found = False
        if isinstance(error, SecurityValidationError):
            credentials = False
        errors.append(describe(error))
    if credentials and (problem := _scheme_problem(incoming)):
        credentials = False
        errors.append(problem)
    prefix = f"{incoming.kind} request {incoming.method} {incoming.path}: "
    return [prefix + error for error in errors], found, credentials


def _scheme_problem(incoming: Incoming) -> str | None:
    """What the description's security schemes cannot say about the Authorization header."""
    scheme = incoming.headers.get("authorization", "").partition(" ")[0].lower()
    if incoming.kind == "github" and scheme not in ("bearer", "token"):
        # GitHub's description declares no security scheme: this check is the fake's own.
        return "no Authorization: Bearer <token> (nor token <token>) header"
    if incoming.kind == "gitea" and scheme and scheme not in ("token", "basic"):
        # The scheme AuthorizationHeaderToken: "API tokens must be prepended with "token"".
        return f"Authorization: {scheme} ...: Gitea's description asks for 'token <token>'"
    return None


def response_errors(
    incoming: Incoming, status: int, body: Any, headers: dict[str, str]
) -> list[str]:
    """The fake's own answer against the description of the status it sent (GitHub, Gitea)."""
    if incoming.kind not in RESPONSES_CHECKED:
        return []
    data = b"" if body is None else json.dumps(body).encode()
    response = MockResponse(
        data, status_code=status, headers=headers, content_type="application/json"
    )
    errors: list[str] = []
    for error in description(incoming.kind).iter_response_errors(_request(incoming), response):
        if isinstance(error, ResponseNotFound) and status >= 400:
            continue
        if isinstance(error, PathError):
            continue  # the request's own mismatch, recorded already
        errors.append(describe(error))
    prefix = f"{incoming.kind} response {status} to {incoming.method} {incoming.path}: "
    return [prefix + error for error in errors]


def describe(error: Exception) -> str:
    """The error and the schema errors behind it (with where they are), in one line."""
    text = str(error) or type(error).__name__
    details = []
    for source in (error.__cause__, error):
        for item in getattr(source, "schema_errors", None) or ():
            where = getattr(item, "json_path", "$")
            message = str(getattr(item, "message", item))
            details.append(message if where == "$" else f"{where[2:]}: {message}")
    cause = error.__cause__
    if cause is not None and not details and str(cause) and str(cause) not in text:
        details.append(str(cause))
    if not details:
        return text
    return f"{text.split(': Value ')[0]}: {'; '.join(dict.fromkeys(details))}"
