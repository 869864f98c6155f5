"""Settings are read once, at start, and refused then when they cannot work."""

import pytest
from pydantic import ValidationError

from devteam_cli.settings import UpSettings
from devteam_gateway.settings import GatewaySettings
from devteam_git.settings import GitSettings
from devteam_tenants import SecretsSettings, new_key


def test_a_secrets_key_that_is_not_a_key_is_refused_and_never_shown() -> None:
    with pytest.raises(ValidationError, match="not base64"):
        SecretsSettings(secrets_key="not a key!")
    with pytest.raises(ValidationError, match="32 bytes"):
        SecretsSettings(secrets_key="c2hvcnQ=")
    key = new_key()
    settings = SecretsSettings(secrets_key=key)
    assert settings.key is not None and len(settings.key) == 32
    assert key not in repr(settings) and key not in str(settings.model_dump())


def test_production_requires_a_secrets_key() -> None:
    with pytest.raises(ValidationError, match="required in production"):
        SecretsSettings(production=True)
    assert SecretsSettings(production=False).key is None  # development: no store


def test_a_malformed_worker_variable_allow_list_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="DEVTEAM_ENV_SECRETS"):
        SecretsSettings(env_secrets="dev")
    allowed = SecretsSettings(env_secrets="dev:OPENAI_API_KEY").allowlist
    assert allowed == {"dev": frozenset({"OPENAI_API_KEY"})}


@pytest.mark.parametrize("token", ["changeme", "CHANGE-ME", "secret", "short-but-unique"])
def test_production_refuses_a_placeholder_admin_token(token: str) -> None:
    with pytest.raises(ValidationError, match="placeholder"):
        GatewaySettings(admin_token=token, production=True)
    assert GatewaySettings(admin_token=token).admin_token is not None  # development: allowed


def test_a_real_admin_token_is_kept_secret() -> None:
    token = "dtr_" + "k" * 40
    settings = GatewaySettings(admin_token=token, production=True)
    assert settings.admin_token is not None and settings.admin_token.get_secret_value() == token
    assert token not in repr(settings)
    assert GatewaySettings(production=True).admin_token is None  # none: no admin API


def test_git_schemes_are_checked_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert GitSettings().schemes == frozenset({"https", "ssh", "file"})
    monkeypatch.setenv("DEVTEAM_GIT_ALLOWED_SCHEMES", "https, HTTP")
    assert GitSettings().schemes == frozenset({"https", "http"})
    monkeypatch.setenv("DEVTEAM_GIT_ALLOWED_SCHEMES", "https,ftp")
    with pytest.raises(ValidationError, match="unsupported scheme"):
        GitSettings()


def test_devteam_up_reads_its_variables_once_and_empty_ones_mean_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEVTEAM_GATEWAY_PORT", "")
    monkeypatch.setenv("DEVTEAM_STAGE_NICE", "7")
    monkeypatch.setenv("DEVTEAM_ADMIN_TOKEN", "dtr_from_the_environment")
    settings = UpSettings()
    assert settings.gateway_port == 8080 and settings.stage_nice == 7
    assert settings.admin_token is not None
    assert "dtr_from_the_environment" not in repr(settings)
    monkeypatch.setenv("DEVTEAM_STAGE_NICE", "20")
    with pytest.raises(ValidationError, match="stage_nice"):
        UpSettings()
