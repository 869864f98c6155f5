"""The tenant secret store: values encrypted with AES-GCM (key `DEVTEAM_SECRETS_KEY`, 32 bytes,
base64) in the secrets bucket, one entry per tenant and name; the tenant and name are the
associated data, so a value copied to another tenant's or name's entry does not decrypt.

`Secrets` is what a worker uses at the moment of use: it resolves only the command's tenant's
secrets (and worker variables the operator allow-listed for that tenant), and remembers every
value it resolved so they can be redacted from every output.
"""

import base64
import json
import os
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from devteam_bus.connection import Bus
from devteam_bus.errors import PermanentError
from devteam_bus.kv import keys_of, now, value_of
from devteam_contracts.runs import FailureCode
from devteam_contracts.secrets import (
    ENV_SECRETS_VAR,
    SecretInfo,
    env_allowed,
    is_secret_name,
)
from devteam_contracts.subjects import BUCKET_SECRETS
from devteam_tenants.settings import SecretsKeyError, SecretsSettings


def _entry_key(tenant: str, name: str) -> str:
    return f"{tenant}.{name}"


class SecretStore:
    """Write, list, delete and (for workers) read a tenant's secrets."""

    def __init__(self, bus: Bus, key: bytes | None) -> None:
        self._bus = bus
        self._key = key

    @classmethod
    def from_settings(cls, bus: Bus, settings: SecretsSettings) -> "SecretStore":
        """The store with the key of `settings` (possibly none)."""
        return cls(bus, settings.key)

    @property
    def configured(self) -> bool:
        """True when a key is set (without one nothing can be stored or read)."""
        return self._key is not None

    def _aead(self) -> AESGCM:
        if self._key is None:
            raise SecretsKeyError("no secrets key is configured (DEVTEAM_SECRETS_KEY)")
        return AESGCM(self._key)

    async def put(self, tenant: str, name: str, value: str) -> SecretInfo:
        """Create or replace a secret; returns its name and times, never the value."""
        aead = self._aead()
        kv = await self._bus.js.key_value(BUCKET_SECRETS)
        key = _entry_key(tenant, name)
        old = await value_of(kv, key)
        created = datetime.fromisoformat(json.loads(old)["created_at"]) if old else now()
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, value.encode(), key.encode())
        at = now()
        record = {
            "v": 1,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
            "created_at": created.isoformat(),
            "updated_at": at.isoformat(),
        }
        await kv.put(key, json.dumps(record).encode())
        return SecretInfo(name=name, created_at=created, updated_at=at)

    async def list(self, tenant: str) -> list[SecretInfo]:
        """The tenant's secrets by name, with their times."""
        kv = await self._bus.js.key_value(BUCKET_SECRETS)
        # (nats-py's `filters` are substring matches: "dev." would match "globex.dev.x")
        keys = [k for k in await keys_of(kv) if k.startswith(f"{tenant}.")]
        out = []
        for key in sorted(keys):
            value = await value_of(kv, key)
            if value is None:
                continue
            record = json.loads(value)
            out.append(
                SecretInfo(
                    name=key.split(".", 1)[1],
                    created_at=datetime.fromisoformat(record["created_at"]),
                    updated_at=datetime.fromisoformat(record["updated_at"]),
                )
            )
        return out

    async def delete(self, tenant: str, name: str) -> bool:
        """Remove a secret; False when there was none."""
        kv = await self._bus.js.key_value(BUCKET_SECRETS)
        key = _entry_key(tenant, name)
        if await value_of(kv, key) is None:
            return False
        await kv.delete(key)
        return True

    async def reveal(self, tenant: str, name: str) -> str | None:
        """The value, for a worker at the moment of use; None when the tenant has no such
        secret. Never returned by the API."""
        aead = self._aead()
        if not is_secret_name(name):
            return None
        kv = await self._bus.js.key_value(BUCKET_SECRETS)
        key = _entry_key(tenant, name)
        value = await value_of(kv, key)
        if value is None:
            return None
        record = json.loads(value)
        try:
            plain = aead.decrypt(
                base64.b64decode(record["nonce"]),
                base64.b64decode(record["ciphertext"]),
                key.encode(),
            )
        except InvalidTag:
            raise SecretsKeyError(f"secret {name} does not decrypt with this key") from None
        return plain.decode()


class Secrets:
    """A worker's view of one tenant's secrets while it handles one command."""

    def __init__(self, bus: Bus, tenant: str, settings: SecretsSettings) -> None:
        self.tenant = tenant
        self._store = SecretStore.from_settings(bus, settings)
        self._allowlist = settings.allowlist
        self.resolved: list[str] = []

    async def lookup(self, secret: str | None, env: str | None, field: str) -> str | None:
        """The value `field` refers to: the tenant's secret `secret`, or the worker variable
        `env` when the operator allow-lists it for the tenant; None when neither is named.

        `PermanentError` (invalid_config) when it names what the tenant may not use or what
        is not set; the message names the field, never a value.
        """
        if secret:
            try:
                value = await self._store.reveal(self.tenant, secret)
            except SecretsKeyError as exc:
                raise PermanentError(f"{field}: {exc}", code=FailureCode.INVALID_CONFIG) from exc
            if value is None:
                raise PermanentError(
                    f"{field}: tenant {self.tenant} has no secret {secret!r}",
                    code=FailureCode.INVALID_CONFIG,
                )
        elif env:
            if not env_allowed(self._allowlist, self.tenant, env):
                raise PermanentError(
                    f"{field}: the worker variable {env} is not allowed for tenant "
                    f"{self.tenant} ({ENV_SECRETS_VAR})",
                    code=FailureCode.INVALID_CONFIG,
                )
            value = os.environ.get(env)
            if not value:
                return None
        else:
            return None
        self.resolved.append(value)
        return value
