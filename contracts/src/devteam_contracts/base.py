"""Base model: strict, so a typo or an unknown field is an error and never silently dropped."""

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base of every contract model: unknown fields are rejected; instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
