"""Tenant secrets through the whole product: write-only, resolved only for the owning tenant,
and never seen anywhere by another tenant, whether planted in a tenant's store or in the
workers' environment (the service's own secret)."""

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from devteam_bus.connection import connect
from devteam_cli.demo_project import create_demo_repo, demo_scenario
from devteam_cli.local_stack import RunningStack
from devteam_contracts.subjects import STREAM_AUDIT, STREAM_EVENTS
from devteam_scripted_model.launcher import ScriptedModelServer
from devteam_tenants.tokens import TokenStore, new_token

from e2e_client import SERVICE_SECRET, SERVICE_SECRET_ENV, project_body
from support import eventually

pytestmark = pytest.mark.e2e

TENANT_SECRET = "tenant-a-secret-Zx81Qm4Np"


async def stream_text(stack: RunningStack, stream: str) -> str:
    bus = await connect(stack.bus_settings(), "test")
    try:
        info = await bus.js.stream_info(stream)
        chunks = [
            (await bus.js.get_msg(stream, seq)).data or b""
            for seq in range(info.state.first_seq, info.state.last_seq + 1)
        ]
    finally:
        await bus.close()
    return b"\n".join(chunks).decode(errors="replace")


def on_disk(stack: RunningStack) -> str:
    texts = [p.read_text(errors="replace") for p in (stack.data_dir / "logs").glob("*.log")]
    texts.append((stack.data_dir / "devteam-up.log").read_text(errors="replace"))
    return "\n".join(texts)


def body(repo: Path, model: ScriptedModelServer, **model_fields: Any) -> dict[str, Any]:
    base = project_body(repo, model)
    fields = {k: v for k, v in base["model"].items() if k != "api_key_env"}
    return {**base, "model": {**fields, **model_fields}}


async def run_to_end(client: httpx.AsyncClient, project: dict[str, Any]) -> dict[str, Any]:
    created = await client.post("/v1/projects", json=project)
    assert created.status_code == 201, created.text
    started = await client.post(
        f"/v1/projects/{created.json()['id']}/runs", json={"mode": "single"}
    )
    run_id = started.json()["run_id"]

    async def ended() -> dict[str, Any] | None:
        run = (await client.get(f"/v1/runs/{run_id}")).json()
        return run if run["state"] not in ("queued", "running") else None

    return await eventually(ended, timeout_s=120, what="the run ended")


async def test_a_tenants_secrets_and_the_services_never_reach_another_tenant(
    stack: RunningStack, api: httpx.AsyncClient, model: ScriptedModelServer, tmp_path: Path
) -> None:
    model.set_scenario(demo_scenario())
    put = await api.put("/v1/secrets/model-key", json={"value": TENANT_SECRET})
    assert put.status_code == 200 and TENANT_SECRET not in put.text
    assert set(put.json()) == {"name", "created_at", "updated_at"}
    listed = (await api.get("/v1/secrets")).json()["secrets"]
    # (the stack is shared: other tests' secrets of `dev` may be listed too)
    assert "model-key" in [s["name"] for s in listed] and TENANT_SECRET not in str(listed)

    other_token = new_token()
    bus = await connect(stack.bus_settings(), "test")
    await TokenStore(bus).add(other_token, "globex")
    await bus.close()
    globex = httpx.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {other_token}"}, timeout=30
    )
    async with globex:
        assert (await globex.get("/v1/secrets")).json() == {"secrets": []}
        assert (await globex.delete("/v1/secrets/model-key")).status_code == 404

        # The service's secret by variable name: refused at registration, naming the field.
        for field, project in [
            (["body", "model", "api_key_env"],
             body(create_demo_repo(tmp_path / "x"), model, api_key_env=SERVICE_SECRET_ENV)),
            (["body", "credentials", "token_env"],
             {**body(create_demo_repo(tmp_path / "y"), model),
              "credentials": {"username": "u", "token_env": SERVICE_SECRET_ENV}}),
        ]:  # fmt: skip
            refused = await globex.post("/v1/projects", json=project)
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["loc"] == field
            assert SERVICE_SECRET not in refused.text

        # Tenant A's secret by name: globex has no such secret, so its run fails before
        # Aider ever talks to the model.
        theirs = await run_to_end(
            globex, body(create_demo_repo(tmp_path / "g"), model, api_key_secret="model-key")
        )
        assert theirs["state"] == "failed"
        assert theirs["failure"]["code"] == "invalid_config"
        assert "has no secret 'model-key'" in theirs["failure"]["reason"]
        assert model.requests() == []

    # The owner's run gets its own secret, at the model only.
    mine = await run_to_end(
        api, body(create_demo_repo(tmp_path / "a"), model, api_key_secret="model-key")
    )
    assert mine["state"] == "completed", mine["failure"]
    digest = hashlib.sha256(TENANT_SECRET.encode()).hexdigest()
    assert {r["key_sha256"] for r in model.requests()} == {digest}

    seen = on_disk(stack) + await stream_text(stack, STREAM_EVENTS)
    seen += await stream_text(stack, STREAM_AUDIT) + str(mine) + str(theirs)
    for value in (TENANT_SECRET, SERVICE_SECRET):
        assert value not in seen
    assert (await api.delete("/v1/secrets/model-key")).status_code == 204
    names = [s["name"] for s in (await api.get("/v1/secrets")).json()["secrets"]]
    assert "model-key" not in names
