"""The secret store on a real nats-server: encrypted at rest, bound to its tenant and name."""

import pytest

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_contracts.subjects import BUCKET_SECRETS
from devteam_tenants import (
    Secrets,
    SecretsKeyError,
    SecretsSettings,
    SecretStore,
    new_key,
    parse_key,
)

VALUE = "sk-live-0123456789abcdefXYZ"


async def test_values_are_encrypted_at_rest_and_bound_to_tenant_and_name(bus: Bus) -> None:
    store = SecretStore(bus, parse_key(new_key()))
    info = await store.put("acme", "model-key", VALUE)
    again = await store.put("acme", "model-key", VALUE + "2")
    assert again.created_at == info.created_at and again.updated_at > info.updated_at
    kv = await bus.js.key_value(BUCKET_SECRETS)
    raw = (await kv.get("acme.model-key")).value or b""
    assert VALUE.encode() not in raw and b"sk-live" not in raw
    assert await store.reveal("acme", "model-key") == VALUE + "2"
    assert await store.reveal("globex", "model-key") is None
    # The same ciphertext under another tenant's entry does not decrypt.
    await kv.put("globex.model-key", raw)
    with pytest.raises(SecretsKeyError, match="does not decrypt"):
        await store.reveal("globex", "model-key")
    # Nor with another key.
    with pytest.raises(SecretsKeyError):
        await SecretStore(bus, parse_key(new_key())).reveal("acme", "model-key")
    assert [s.name for s in await store.list("acme")] == ["model-key"]
    assert await store.delete("acme", "model-key") and not await store.delete("acme", "model-key")


async def test_a_worker_resolves_only_its_tenants_secrets_and_allow_listed_variables(
    bus: Bus, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = new_key()
    await SecretStore(bus, parse_key(key)).put("acme", "git-token", VALUE)
    monkeypatch.setenv("DEVTEAM_ENV_SECRETS", "acme:ACME_KEY")
    monkeypatch.setenv("ACME_KEY", "from-the-environment")
    monkeypatch.setenv("OTHER_KEY", "not-for-tenants")
    settings = SecretsSettings(secrets_key=key)
    acme, globex = Secrets(bus, "acme", settings), Secrets(bus, "globex", settings)
    assert await acme.lookup("git-token", None, "credentials.token") == VALUE
    assert await acme.lookup(None, "ACME_KEY", "model.api_key") == "from-the-environment"
    assert acme.resolved == [VALUE, "from-the-environment"]  # all of it is redacted later
    with pytest.raises(PermanentError, match=r"credentials\.token: tenant globex has no secret"):
        await globex.lookup("git-token", None, "credentials.token")
    for tenant in (acme, globex):
        with pytest.raises(PermanentError, match="OTHER_KEY is not allowed"):
            await tenant.lookup(None, "OTHER_KEY", "model.api_key")
    with pytest.raises(PermanentError, match="ACME_KEY is not allowed for tenant globex"):
        await globex.lookup(None, "ACME_KEY", "model.api_key")
    assert globex.resolved == []
