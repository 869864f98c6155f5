"""Output redaction: secrets never leave a worker in logs, events or failure reports."""

import re
from collections.abc import Iterable

REDACTED = "***"

# Credentials in URLs (`https://user:token@host`) and common token shapes.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]+(:[^/\s@]*)?@")
_TOKEN_SHAPES = re.compile(
    r"\b(sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|dtr_[A-Za-z0-9_-]{20,}"
    r"|xox[baprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16})\b"
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secret values, URL credentials and well-known token shapes masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{REDACTED}@", text)
    return _TOKEN_SHAPES.sub(REDACTED, text)
