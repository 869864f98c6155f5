"""Validation of repository URLs given by users (pure: no I/O, no DNS).

Only an allow-list of forms is accepted, and each is rebuilt from its validated parts so that
what git receives is exactly what was checked:

    https://host[:port]/path          (http:// too, only when explicitly allowed)
    ssh://[user@]host[:port]/path
    [user@]host:path                  scp-like, rewritten to ssh://
    file:///abs/path  or  /abs/path   rewritten to file://

Credentials never travel in URLs: they come from the credential store (see `credentials.py`).
An http(s) URL therefore carries no userinfo at all (a lone "username" is often a token, as in
`https://ghp_…@github.com/…`); an ssh URL may name the login user, never a password.
"""

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import unquote

from devteam_git.errors import InvalidInputError

SUPPORTED_SCHEMES = frozenset({"http", "https", "ssh", "file"})
DEFAULT_SCHEMES = frozenset({"https", "ssh", "file"})

_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<rest>.*)$", re.DOTALL)
# git reads `<helper>::<address>` as "run git-remote-<helper>" (ext::, fd::, anything else).
_TRANSPORT_HELPER = re.compile(r"^[A-Za-z0-9+.-]*::")
_LABEL = r"[A-Za-z0-9][A-Za-z0-9-]{0,62}"
_HOSTNAME = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_IPV6 = re.compile(r"^\[[0-9A-Fa-f:.]+\]$")
_SSH_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$")
_SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/]*)@)?(?P<host>[^@/:]+):(?P<path>.*)$", re.DOTALL)
# Greedy up to the last "@": a pasted password may itself contain "/" or "@".
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?.*@", re.DOTALL)


@dataclass(frozen=True)
class RepoUrl:
    """A validated repository URL, split into the parts credential handling needs."""

    scheme: str
    host: str
    port: int | None
    user: str | None
    path: str

    @property
    def url(self) -> str:
        """The canonical URL handed to git."""
        if self.scheme == "file":
            return f"file://{self.path}"
        userinfo = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{userinfo}{self.host}{port}{self.path}"


def mask_url(url: str) -> str:
    """`url` safe to show: userinfo masked, control characters escaped, at most 100 chars."""
    masked = _USERINFO.sub(lambda m: f"{m.group('scheme') or ''}***@", url, count=1)
    return repr(masked[:100])


def normalize_repo_url(url: str, allowed: frozenset[str] = DEFAULT_SCHEMES) -> str:
    """Return the canonical URL git may use for `url`, or raise `InvalidInputError`.

    `allowed` names the accepted schemes (a subset of `SUPPORTED_SCHEMES`; scp-like addresses
    count as `ssh`, absolute paths as `file`). Option-like values, transport helpers (`ext::`),
    control characters, embedded credentials and `..` in paths are refused; messages never
    repeat a credential found in the URL.
    """
    return parse_repo_url(url, allowed).url


def parse_repo_url(url: str, allowed: frozenset[str] = DEFAULT_SCHEMES) -> RepoUrl:
    """Validate `url` like `normalize_repo_url` and return its parts."""
    _refuse_unsafe_text(url)
    match = _SCHEME.match(url)
    if match:
        scheme = match["scheme"].lower()
        rest = match["rest"]
    elif url.startswith("/"):
        scheme, rest = "file", url
    elif (scp := _SCP_LIKE.match(url)) is not None:
        _check_allowed("ssh", url, allowed)
        return _scp_like(url, scp)
    else:
        raise InvalidInputError(
            f"repository URL {mask_url(url)} is neither an absolute path nor a URL "
            "(https://host/path, ssh://host/path, user@host:path, file:///path)"
        )
    if scheme not in SUPPORTED_SCHEMES:
        raise InvalidInputError(f"repository URL scheme {scheme!r} is not supported")
    _check_allowed(scheme, url, allowed)
    if scheme == "file":
        return _file_url(url, rest if match else url)
    return _network_url(url, scheme, rest)


def _refuse_unsafe_text(url: str) -> None:
    if not url:
        raise InvalidInputError("repository URL is empty")
    if url.startswith("-"):
        raise InvalidInputError(
            f"repository URL {mask_url(url)} starts with '-' and would be read as an option"
        )
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c.isspace() for c in url):
        raise InvalidInputError(
            f"repository URL {mask_url(url)} contains whitespace or control characters"
        )
    # An IPv6 literal (`[::1]`) is the one legitimate place for "::".
    if _TRANSPORT_HELPER.match(url) or "::" in re.sub(r"\[[0-9A-Fa-f:.]*\]", "", url):
        raise InvalidInputError(
            f"repository URL {mask_url(url)} uses the '<transport>::' form, which runs "
            "arbitrary transport helpers"
        )


def _check_allowed(scheme: str, url: str, allowed: frozenset[str]) -> None:
    if scheme not in allowed:
        accepted = ", ".join(sorted(allowed & SUPPORTED_SCHEMES)) or "none"
        raise InvalidInputError(
            f"repository URL {mask_url(url)} uses {scheme!r}; accepted here: {accepted}"
        )


def _file_url(url: str, rest: str) -> RepoUrl:
    host, slash, raw_path = rest.partition("/")
    if host:
        raise InvalidInputError(f"file URL {mask_url(url)} must not name a host (file:///path)")
    path = unquote(slash + raw_path)
    _refuse_unsafe_text(path.lstrip("/") or "/")
    pure = PurePosixPath(path)
    if not pure.is_absolute() or ".." in pure.parts:
        raise InvalidInputError(f"repository path {mask_url(path)} must be absolute without '..'")
    return RepoUrl("file", "", None, None, str(pure))


def _network_url(url: str, scheme: str, rest: str) -> RepoUrl:
    authority, slash, raw_path = rest.partition("/")
    user: str | None = None
    if "@" in authority:
        userinfo, _, authority = authority.rpartition("@")
        user = _check_userinfo(url, scheme, userinfo)
    host, port = _split_host_port(url, authority)
    path = slash + raw_path
    _check_remote_path(url, path)
    return RepoUrl(scheme, host, port, user, path)


def _scp_like(url: str, scp: re.Match[str]) -> RepoUrl:
    user = _check_userinfo(url, "ssh", scp["user"]) if scp["user"] is not None else None
    host = _check_host(url, scp["host"])
    path = scp["path"]
    # `host:dir/repo` is relative to the login's home; `ssh://host/~/dir/repo` says the same.
    path = path if path.startswith("/") else "/" + path if path.startswith("~") else "/~/" + path
    _check_remote_path(url, path)
    return RepoUrl("ssh", host, None, user, path)


def _check_userinfo(url: str, scheme: str, userinfo: str) -> str:
    if ":" in userinfo:
        raise InvalidInputError(
            f"repository URL {mask_url(url)} embeds a password or token; credentials come "
            "from the credential store, never from the URL"
        )
    if scheme != "ssh":
        raise InvalidInputError(
            f"repository URL {mask_url(url)} embeds a user name (often a token); give the "
            "user name and token as credentials instead"
        )
    if not _SSH_USER.match(userinfo):
        raise InvalidInputError(f"repository URL {mask_url(url)} has an invalid ssh user name")
    return userinfo


def _split_host_port(url: str, authority: str) -> tuple[str, int | None]:
    host, port_text = authority, ""
    if authority.startswith("["):
        end = authority.find("]")
        host, port_text = authority[: end + 1], authority[end + 1 :]
        if end < 0 or (port_text and not port_text.startswith(":")):
            raise InvalidInputError(f"repository URL {mask_url(url)} has an invalid host")
        port_text = port_text[1:]
    elif ":" in authority:
        host, _, port_text = authority.partition(":")
    port: int | None = None
    if port_text:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InvalidInputError(f"repository URL {mask_url(url)} has an invalid port")
        port = int(port_text)
    return _check_host(url, host), port


def _check_host(url: str, host: str) -> str:
    if host.startswith("-"):
        raise InvalidInputError(
            f"repository URL {mask_url(url)} has a host starting with '-' (option injection)"
        )
    if not (_HOSTNAME.match(host) or _IPV6.match(host)):
        raise InvalidInputError(f"repository URL {mask_url(url)} has an invalid host")
    return host.lower()


def _check_remote_path(url: str, path: str) -> None:
    if path.strip("/") in ("", "~"):
        raise InvalidInputError(f"repository URL {mask_url(url)} names no repository path")
    if "?" in path or "#" in path:
        raise InvalidInputError(f"repository URL {mask_url(url)} must not have a query or fragment")
    decoded = unquote(path)
    if ".." in decoded.split("/"):
        raise InvalidInputError(f"repository URL {mask_url(url)} must not contain '..'")
    _refuse_unsafe_text(decoded.lstrip("/"))
