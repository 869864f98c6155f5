"""Repository URL validation (pure)."""

import pytest

from devteam_git.errors import InvalidInputError
from devteam_git.urls import RepoUrl, mask_url, normalize_repo_url, parse_repo_url

WITH_HTTP = frozenset({"http", "https", "ssh", "file"})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/srv/repos/calc.git", "file:///srv/repos/calc.git"),
        ("file:///srv/repos/calc.git", "file:///srv/repos/calc.git"),
        ("/srv//repos/./calc.git", "file:///srv/repos/calc.git"),
        ("https://github.com/acme/calc.git", "https://github.com/acme/calc.git"),
        ("HTTPS://GitHub.com/acme/calc", "https://github.com/acme/calc"),
        ("https://git.example.com:8443/a/b/c.git", "https://git.example.com:8443/a/b/c.git"),
        ("https://[::1]:8443/calc.git", "https://[::1]:8443/calc.git"),
        ("ssh://git@github.com/acme/calc.git", "ssh://git@github.com/acme/calc.git"),
        ("ssh://host.internal:2222/srv/calc.git", "ssh://host.internal:2222/srv/calc.git"),
        ("git@github.com:acme/calc.git", "ssh://git@github.com/~/acme/calc.git"),
        ("deploy@host:/srv/git/calc.git", "ssh://deploy@host/srv/git/calc.git"),
        ("host:~alice/calc.git", "ssh://host/~alice/calc.git"),
    ],
)
def test_accepted_urls_are_normalized(url: str, expected: str) -> None:
    assert normalize_repo_url(url) == expected


def test_http_only_when_explicitly_allowed() -> None:
    url = "http://127.0.0.1:8080/calc.git"
    with pytest.raises(InvalidInputError, match="accepted here: file, https, ssh"):
        normalize_repo_url(url)
    assert normalize_repo_url(url, WITH_HTTP) == url


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://github.com/acme/calc.git", frozenset({"file"})),
        ("git@github.com:acme/calc.git", frozenset({"https"})),
        ("/srv/calc.git", frozenset({"https", "ssh"})),
    ],
)
def test_schemes_outside_the_allow_list_are_refused(url: str, allowed: frozenset[str]) -> None:
    with pytest.raises(InvalidInputError, match="accepted here"):
        normalize_repo_url(url, allowed)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("--upload-pack=touch /tmp/pwned", "option"),
        ("-c core.sshCommand=x", "option"),
        ("-oProxyCommand=x:y", "option"),
        ("ext::sh -c touch% /tmp/pwned", "whitespace"),
        ("ext::sh", "transport"),
        ("fd::17", "transport"),
        ("git-remote-x::https://host/x", "transport"),
        ("https::host/x", "transport"),
        ("ssh://host/a::b", "transport"),
        ("ftp://host/calc.git", "not supported"),
        ("git://host/calc.git", "not supported"),
        ("javascript://host/x", "not supported"),
        ("relative/path", "neither"),
        ("./calc", "neither"),
        ("", "empty"),
        ("/srv/repo\n--upload-pack=x", "control"),
        ("https://host/calc\x00.git", "control"),
        ("https://host/calc .git", "whitespace"),
        ("https://host/calc\t.git", "whitespace"),
        ("https://host/calc%0a.git", "control"),
        ("https://-oProxyCommand=x/calc", "host starting with '-'"),
        ("ssh://-oProxyCommand=x/calc", "host starting with '-'"),
        ("ssh://git@-host/calc", "host starting with '-'"),
        ("git@-host:calc", "host starting with '-'"),
        ("ssh://-user@host/calc", "user name"),
        ("https://host_x/calc", "invalid host"),
        ("https://host:0/calc", "invalid port"),
        ("https://host:99999/calc", "invalid port"),
        ("https://host:x/calc", "invalid port"),
        ("https://host", "no repository path"),
        ("https://host/", "no repository path"),
        ("https://host/calc?x=1", "query"),
        ("file:///srv/../etc", "'..'"),
        ("file:///srv/%2e%2e/etc", "'..'"),
        ("/srv/repos/../../etc/passwd", "'..'"),
        ("file://otherhost/srv/calc.git", "host"),
        ("file:///srv/my%20repos/calc.git", "whitespace"),
        ("ssh://host/srv/../calc", "'..'"),
    ],
)
def test_dangerous_or_unsupported_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(InvalidInputError, match=reason):
        normalize_repo_url(url, WITH_HTTP)


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("https://user:s3cr3t-tok@github.com/acme/calc.git", "s3cr3t-tok"),
        ("https://x-access-token:ghp_abcdefghij0123@github.com/a/b", "ghp_abcdefghij0123"),
        ("https://ghp_abcdefghij0123@github.com/acme/calc.git", "ghp_abcdefghij0123"),
        ("ssh://git:hunter2secret@host/calc.git", "hunter2secret"),
        ("git:hunter2secret@host:calc.git", "hunter2secret"),
        ("https://user:pa/ss@wo@rd@host/calc.git", "ss@wo"),
        ("https://user:bad secret@host/calc.git", "bad secret"),
    ],
)
def test_embedded_credentials_are_refused_without_echoing_them(url: str, secret: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        normalize_repo_url(url, WITH_HTTP)
    assert secret not in str(caught.value)
    assert "***" in str(caught.value)


def test_a_bare_ssh_user_is_fine_but_an_https_user_is_not() -> None:
    assert normalize_repo_url("ssh://git@host/calc.git") == "ssh://git@host/calc.git"
    with pytest.raises(InvalidInputError, match="user name"):
        normalize_repo_url("https://git@host/calc.git")


def test_parts_are_available_for_credential_lookup() -> None:
    assert parse_repo_url("ssh://git@Host.Example:2222/a.git") == RepoUrl(
        "ssh", "host.example", 2222, "git", "/a.git"
    )
    assert parse_repo_url("/srv/a.git").scheme == "file"


def test_mask_url_hides_userinfo_and_escapes_control_characters() -> None:
    assert mask_url("https://u:p@host/x") == "'https://***@host/x'"
    assert mask_url("a\nb") == "'a\\nb'"
    assert len(mask_url("/" + "x" * 500)) < 110
