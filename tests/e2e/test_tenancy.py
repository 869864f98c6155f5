"""Tokens and tenants: the admin API and CLI create, list and revoke tokens; a revoked token is
refused by every gateway replica within a second; another tenant's ids get exactly the 404 a
missing id gets, on every endpoint and WebSocket."""

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from test_secrets import stream_text
from websockets.exceptions import InvalidStatus

from devteam_cli.local_stack import RunningStack
from devteam_contracts.subjects import STREAM_AUDIT
from devteam_scripted_model.launcher import ScriptedModelServer

from e2e_client import extra_gateway, project_body
from support import eventually

pytestmark = pytest.mark.e2e


@pytest.fixture
def second_gateway(stack: RunningStack, tmp_path: Path) -> Iterator[str]:
    """Another gateway replica on the same NATS, as a second machine would run it."""
    with extra_gateway(stack, tmp_path / "gateway-2.log",
                       DEVTEAM_ADMIN_TOKEN=stack.admin_token) as url:  # fmt: skip
        yield url


def cli(stack: RunningStack, *args: str) -> str:
    exe = Path(sys.executable).parent / "devteam"
    env = {**os.environ, **stack.cli_env()}
    done = subprocess.run([str(exe), "tokens", *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_tokens_are_administered_and_a_revoked_one_is_refused_everywhere_within_1s(
    stack: RunningStack, second_gateway: str
) -> None:
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as http:
        tenant_auth = {"Authorization": f"Bearer {stack.token}"}
        denied = await http.post("/v1/admin/tenants/initech/tokens", json={}, headers=tenant_auth)
        assert denied.status_code == 401  # a tenant's token is not an admin's
        created = await http.post(
            "/v1/admin/tenants/initech/tokens", json={"label": "ci"}, headers=admin
        )
        assert created.status_code == 201, created.text
        token, token_id = created.json()["token"], created.json()["id"]
        listed = (await http.get("/v1/admin/tenants/initech/tokens", headers=admin)).json()
        assert [t["id"] for t in listed["tokens"]] == [token_id] and token not in str(listed)
        assert token_id in cli(stack, "list", "--tenant", "initech")
        from_cli = cli(stack, "create", "--tenant", "initech", "--label", "cli").split()
        assert len(from_cli) == 2 and from_cli[1].startswith("dtr_")

    auth = {"Authorization": f"Bearer {token}"}
    gateways = [httpx.AsyncClient(base_url=u, headers=auth) for u in (stack.url, second_gateway)]
    for gw in gateways:
        assert (await gw.get("/v1/usage")).status_code == 200  # cached as valid on both
    assert f"revoked {token_id}" in cli(stack, "revoke", "--tenant", "initech", token_id)
    revoked_at = time.monotonic()

    async def refused_everywhere() -> bool:
        codes = [(await gw.get("/v1/usage")).status_code for gw in gateways]
        return codes == [401, 401]

    await eventually(refused_everywhere, timeout_s=5, what="the revoked token refused")
    assert time.monotonic() - revoked_at < 1.0
    for gw in gateways:
        await gw.aclose()
    audit = await stream_text(stack, STREAM_AUDIT)
    assert "token.create" in audit and "token.revoke" in audit and token not in audit


async def test_another_tenants_ids_get_exactly_the_404_of_a_missing_id(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    project = (await api.post("/v1/projects", json=project_body(tmp_path, model))).json()
    run = (await api.post(f"/v1/projects/{project['id']}/runs", json={})).json()
    await api.post(f"/v1/runs/{run['run_id']}/cancel")  # the stack is shared: leave it idle
    await api.put("/v1/secrets/only-dev", json={"value": "x-value-1234"})
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    async with httpx.AsyncClient(base_url=stack.url, timeout=10) as http:
        created = await http.post("/v1/admin/tenants/umbrella/tokens", json={}, headers=admin)
        other = {"Authorization": f"Bearer {created.json()['token']}"}
        missing = {"project": "prj-000000000000", "run": "run-000000000000"}
        theirs = {"project": project["id"], "run": run["run_id"]}
        requests = [
            ("GET", "/v1/projects/{project}"),
            ("GET", "/v1/projects/{project}/tasks"),
            ("POST", "/v1/projects/{project}/runs"),
            ("GET", "/v1/runs/{run}"),
            ("POST", "/v1/runs/{run}/cancel"),
        ]
        for method, path in requests:
            body = {} if method == "POST" else None
            a = await http.request(method, path.format(**missing), json=body, headers=other)
            b = await http.request(method, path.format(**theirs), json=body, headers=other)
            assert a.status_code == b.status_code == 404, path
            assert a.json() == b.json(), path
        gone = await http.delete("/v1/secrets/never-was", headers=other)
        theirs_secret = await http.delete("/v1/secrets/only-dev", headers=other)
        assert gone.status_code == theirs_secret.status_code == 404
        assert gone.json() == theirs_secret.json()
        assert (await http.get("/v1/secrets", headers=other)).json() == {"secrets": []}
    statuses = []
    for run_id in (missing["run"], theirs["run"]):
        url = stack.url.replace("http://", "ws://") + f"/v1/runs/{run_id}/events"
        with pytest.raises(InvalidStatus) as refused:
            async with websockets.connect(url, additional_headers=other) as ws:
                await asyncio.wait_for(ws.recv(), 5)
        statuses.append(refused.value.response.status_code)
    assert statuses[0] == statuses[1] == 404
    assert (await api.delete("/v1/secrets/only-dev")).status_code == 204


async def test_the_audit_shows_an_admin_everything_and_a_tenant_its_own(
    stack: RunningStack, api: httpx.AsyncClient
) -> None:
    marker = f"audit-probe-{time.time_ns()}"
    put = await api.put(f"/v1/secrets/{marker}", json={"value": "v-audit-0123456789"},
                        headers={"X-Request-Id": "req-abc-123"})  # fmt: skip
    assert put.headers["x-request-id"] == "req-abc-123"
    mine = (await api.get("/v1/audit", params={"action": "secret.put", "target": marker})).json()
    [frame] = mine["records"]
    record = frame["record"]
    assert record["tenant"] == "dev" and record["actor"].startswith("token:")
    assert record["request_id"] == "req-abc-123" and record["outcome"] == "stored"
    assert "v-audit-0123456789" not in str(mine)
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    async with httpx.AsyncClient(base_url=stack.url, headers=admin, timeout=10) as http:
        created = await http.post("/v1/admin/tenants/wayne/tokens", json={"label": marker})
        everyone = (await http.get("/v1/audit", params={"limit": 1000})).json()["records"]
        tenants = {f["record"]["tenant"] for f in everyone}
        assert {"dev", "wayne"} <= tenants
        only = (await http.get("/v1/audit", params={"tenant": "wayne"})).json()["records"]
        assert {f["record"]["tenant"] for f in only} == {"wayne"}
        wayne = {"Authorization": f"Bearer {created.json()['token']}"}
        theirs = (await http.get("/v1/audit", params={"tenant": "dev"}, headers=wayne)).json()
        assert {f["record"]["tenant"] for f in theirs["records"]} <= {"wayne"}  # own only
        # paging: two records at a time, in order, nothing repeated
        first = (await http.get("/v1/audit", params={"limit": 2})).json()
        params = {"limit": 2, "after": first["next_after"]}
        second = (await http.get("/v1/audit", params=params)).json()
        seqs = [f["seq"] for f in first["records"] + second["records"]]
        assert seqs == sorted(set(seqs)) and len(seqs) == 4
        later = (await http.get("/v1/audit", params={"since": "2999-01-01T00:00:00Z"})).json()
        assert later["records"] == []
    await api.delete(f"/v1/secrets/{marker}")
