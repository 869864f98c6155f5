"""The gateway's edge through a real uvicorn: authentication, tenant isolation, validation,
health, and the process topology `devteam up` started."""

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from devteam_bus.connection import connect
from devteam_cli.local_stack import RunningStack
from devteam_scripted_model.launcher import ScriptedModelServer
from devteam_tenants.tokens import TokenStore

from e2e_client import project_body

pytestmark = pytest.mark.e2e


def read_cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_devteam_up_runs_nats_and_the_service_replicas(stack: RunningStack) -> None:
    stages = [f"{s}-{i}" for s in ("selector", "prep", "implement", "verify") for i in (1, 2)]
    assert set(stack.pids) == {"nats-server", "gateway-1", *stages}
    for name, pid in stack.pids.items():
        expected = "nats-server" if name == "nats-server" else f"devteam-{name.rsplit('-', 1)[0]}"
        assert expected in read_cmdline(pid)


async def test_health_and_readiness(stack: RunningStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).json() == {"status": "ready"}


async def test_requests_without_a_valid_token_are_refused(stack: RunningStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
            response = await client.get("/v1/projects/prj-000000000000", headers=headers)
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"


async def test_invalid_bodies_get_422_naming_the_field(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    good = project_body(tmp_path, model)
    cases: list[tuple[dict[str, Any], str]] = [
        ({**good, "repo_url": "--upload-pack=touch /tmp/x"}, "repository URL"),
        ({**good, "repo_url": "ext::sh -c touch% /tmp/pwned"}, "repository URL"),
        ({**good, "target_branch": "main..evil"}, "target_branch"),
        ({**good, "tasks_file": "../../etc/passwd"}, "tasks_file"),
        ({**good, "surprise": 1}, "surprise"),
        ({**good, "model": {**good["model"], "api_key_env": "A B"}}, "api_key_env"),
    ]
    for body, needle in cases:
        response = await api.post("/v1/projects", json=body)
        assert response.status_code == 422, body
        assert needle in response.text
        problem = response.json()  # problem details, naming the field
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["status"] == 422 and problem["title"] and needle in problem["detail"]
    bad_run = await api.post("/v1/projects/prj-000000000000/runs", json={"mode": "forever"})
    assert bad_run.status_code == 422
    assert bad_run.json()["errors"][0]["loc"] == ["body", "mode"]


async def test_text_that_cannot_be_stored_is_a_422_not_a_500(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    good = json.dumps(project_body(tmp_path, model))
    for raw, field in [
        (good.replace('"calc"', '"\\ud800"'), "name"),  # a lone surrogate
        (good.replace('"calc"', '"ca\\u0000lc"'), "name"),  # NUL in a shown name
        (good.replace('"tasks_list.md"', '"\\udfff.md"'), "tasks_file"),
    ]:
        response = await api.post(
            "/v1/projects", content=raw.encode(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"] == ["body", field]
    secret = await api.put(
        "/v1/secrets/s",
        content=b'{"value": "a\\udc80b"}',
        headers={"content-type": "application/json"},
    )
    assert secret.status_code == 422 and "\\udc80" not in secret.text


async def test_a_body_over_the_limit_is_a_413(api: httpx.AsyncClient) -> None:
    big = b'{"name": "' + b"x" * 1_100_000 + b'"}'
    declared = await api.post("/v1/projects", content=big,
                              headers={"content-type": "application/json"})  # fmt: skip
    assert declared.status_code == 413
    assert declared.json()["status"] == 413

    async def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(20):
            yield b"x" * 100_000

    streamed = await api.post("/v1/projects", content=chunks(),
                              headers={"content-type": "application/json"})  # fmt: skip
    assert streamed.status_code == 413


async def test_a_tenant_sees_only_its_own_projects_and_runs(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    bus = await connect(stack.bus_settings(), "test")
    await TokenStore(bus).add("other-tenant-token-123456", "other")
    await bus.close()
    project = (await api.post("/v1/projects", json=project_body(tmp_path, model))).json()
    # A run that cannot get far (no tasks file), just to have a run id of tenant `dev`.
    run = (await api.post(f"/v1/projects/{project['id']}/runs", json={})).json()
    other = {"Authorization": "Bearer other-tenant-token-123456"}
    async with httpx.AsyncClient(base_url=stack.url, headers=other) as client:
        assert (await client.get(f"/v1/projects/{project['id']}")).status_code == 404
        assert (await client.get(f"/v1/runs/{run['run_id']}")).status_code == 404
        started = await client.post(f"/v1/projects/{project['id']}/runs", json={})
        assert started.status_code == 404
    url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run['run_id']}/events"
    with pytest.raises(InvalidStatus):
        async with websockets.connect(url, additional_headers=other) as ws:
            await asyncio.wait_for(ws.recv(), 5)
    assert (await api.get(f"/v1/projects/{project['id']}")).status_code == 200
    await api.post(f"/v1/runs/{run['run_id']}/cancel")  # the stack is shared: leave it idle


async def test_a_secret_in_a_repository_url_is_refused_and_not_echoed(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    secret = "ghp_UrlSecret0123456789abcdefABCDEF"
    body = {**project_body(tmp_path, model), "repo_url": f"https://me:{secret}@example.com/r.git"}
    response = await api.post("/v1/projects", json=body)
    assert response.status_code == 422
    assert secret not in response.text
    token_as_user = {**body, "repo_url": f"https://{secret}@example.com/r.git"}
    response = await api.post("/v1/projects", json=token_as_user)
    assert response.status_code == 422
    assert secret not in response.text


async def test_idempotency_key_makes_a_retried_start_a_no_op(
    api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    project = (await api.post("/v1/projects", json=project_body(tmp_path, model))).json()
    headers = {"Idempotency-Key": "start-42"}
    first = await api.post(f"/v1/projects/{project['id']}/runs", json={}, headers=headers)
    again = await api.post(f"/v1/projects/{project['id']}/runs", json={}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["run_id"] == again.json()["run_id"]
    await api.post(f"/v1/runs/{first.json()['run_id']}/cancel")  # ends it if still active
    other = await api.post(f"/v1/projects/{project['id']}/runs", json={})
    assert other.status_code == 202
    assert other.json()["run_id"] != first.json()["run_id"]
    await api.post(f"/v1/runs/{other.json()['run_id']}/cancel")
