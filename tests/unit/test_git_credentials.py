"""Credentials: what is redacted and what is never shown (pure)."""

from devteam_git.credentials import Credentials, redact_git

TOKEN = "tok-0123456789abcdef"
KEY = (
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
    "-----END OPENSSH PRIVATE KEY-----\n"
)


def test_repr_never_shows_secrets() -> None:
    text = repr(Credentials(username="x-access-token", token=TOKEN, ssh_key=KEY))
    assert "x-access-token" in text
    assert TOKEN not in text
    assert "b3BlbnNzaC1rZXkt" not in text


def test_secrets_cover_the_token_the_key_and_its_lines() -> None:
    secrets = Credentials(token=TOKEN, ssh_key=KEY).secrets()
    assert TOKEN in secrets and KEY in secrets
    assert "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ" in secrets
    assert Credentials().secrets() == []


def test_redact_git_masks_values_and_url_userinfo() -> None:
    creds = Credentials(username="x-access-token", token=TOKEN, ssh_key=KEY)
    text = (
        f"fatal: unable to access 'https://x-access-token:{TOKEN}@host/a.git/': 401\n"
        f"token was {TOKEN}; key line b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n"
        "remote: https://someone:other-secret@host/b.git"
    )
    out = redact_git(text, creds)
    assert TOKEN not in out
    assert "b3BlbnNzaC1rZXkt" not in out
    assert "other-secret" not in out
    assert "https://***@host/a.git/" in out


def test_redact_git_without_credentials_still_masks_urls() -> None:
    assert redact_git("see https://u:p4ss@host/x", None) == "see https://***@host/x"
