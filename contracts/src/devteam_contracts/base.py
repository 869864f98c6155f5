"""Base model: strict, so a typo or an unknown field is an error and never silently dropped."""

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class Strict(BaseModel):
    """Base of every contract model: unknown fields are rejected; instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_text(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain NUL characters")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)


class Input(Strict):
    """Base of request bodies: every string, at any depth, must be encodable text without NUL
    (a lone surrogate or a NUL is a 422 naming the field, never a 500 further down)."""

    @field_validator("*", mode="after")
    @classmethod
    def _encodable(cls, value: Any) -> Any:
        _check_text(value)
        return value


class FieldError(BaseModel):
    """One field to blame in a problem: where (`loc`) and why."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """Every error answer (RFC 9457 problem details, `application/problem+json`); problems with
    more structure add members (e.g. a task list's `kind` and `lines`)."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
