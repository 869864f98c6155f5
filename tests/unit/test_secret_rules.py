"""The env allow-list and the secrets key format."""

import pytest

from devteam_contracts.secrets import env_allowed, parse_env_allowlist
from devteam_tenants import SecretsKeyError, new_key, parse_key


def test_the_allow_list_is_per_tenant() -> None:
    allowed = parse_env_allowlist("dev:OPENAI_API_KEY,GIT_TOKEN; acme:ACME_KEY")
    assert env_allowed(allowed, "dev", "GIT_TOKEN")
    assert not env_allowed(allowed, "acme", "GIT_TOKEN")
    assert not env_allowed(allowed, "other", "OPENAI_API_KEY")
    assert parse_env_allowlist(None) == {} and parse_env_allowlist("") == {}


@pytest.mark.parametrize("raw", ["dev", ":A", "dev:A B", "dev:DEVTEAM_SECRETS_KEY", "dev:"])
def test_malformed_or_reserved_entries_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="DEVTEAM_ENV_SECRETS"):
        parse_env_allowlist(raw)


def test_the_key_is_32_bytes_of_base64() -> None:
    assert parse_key(new_key()) is not None and parse_key("") is None
    with pytest.raises(SecretsKeyError, match="32 bytes"):
        parse_key("c2hvcnQ=")
    with pytest.raises(SecretsKeyError, match="base64"):
        parse_key("not base64 at all!")
