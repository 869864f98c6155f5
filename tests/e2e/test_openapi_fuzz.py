"""Schemathesis against the gateway's own OpenAPI, through the real stack: generated requests
(valid and invalid) never get a 5xx, and every answer matches the documented schema."""

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from devteam_cli.local_stack import RunningStack

pytestmark = pytest.mark.e2e
EXAMPLES = 12  # per operation: about 20 s for the whole API on 2 cores


def test_no_5xx_and_every_answer_matches_the_schema(stack: RunningStack) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        try:
            fuzzer(operation, stack)()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)


def fuzzer(operation: Any, stack: RunningStack) -> Any:
    """A Hypothesis test of one operation, with the token that may call it."""
    token = stack.admin_token if operation.path.startswith("/v1/admin") else stack.token
    auth = {"Authorization": f"Bearer {token}"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def fuzz(case: Any) -> None:
        response = case.call(headers=auth, timeout=30)
        _leave_idle(response, stack)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    return fuzz


def _leave_idle(response: Any, stack: RunningStack) -> None:
    """Runs the fuzzer started are cancelled and secrets it stored deleted: the stack is
    shared."""
    try:
        body = response.json()
    except ValueError:
        return
    if response.request.method == "PUT" and response.status_code == 200 and "name" in body:
        httpx.delete(f"{stack.url}/v1/secrets/{body['name']}",
                     headers={"Authorization": f"Bearer {stack.token}"}, timeout=30)  # fmt: skip
    if isinstance(body, dict) and "run_id" in body and response.status_code == 202:
        httpx.post(f"{stack.url}/v1/runs/{body['run_id']}/cancel",
                   headers={"Authorization": f"Bearer {stack.token}"}, timeout=30)  # fmt: skip
