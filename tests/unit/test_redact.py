"""Redaction of secrets from output that leaves a worker."""

from devteam_sandbox.redact import redact


def test_given_secrets_are_masked() -> None:
    assert redact("key=abcd1234 and abcd1234", ["abcd1234"]) == "key=*** and ***"


def test_url_credentials_are_masked() -> None:
    text = "fatal: could not read from https://user:s3cret@git.example.com/repo.git"
    assert redact(text) == "fatal: could not read from https://***@git.example.com/repo.git"


def test_token_shapes_are_masked() -> None:
    text = "OPENAI_API_KEY=sk-abcdefghijklmnopqrstu ghp_abcdefghijklmnopqrstuvwxyz0123"
    assert "sk-abcdef" not in redact(text)
    assert "ghp_" not in redact(text)


def test_short_or_empty_secrets_do_not_mangle_text() -> None:
    assert redact("a b c", ["", "a"]) == "a b c"
