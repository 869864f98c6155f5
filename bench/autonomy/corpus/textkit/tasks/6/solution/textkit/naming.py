"""Identifier naming."""

import re


def camel_to_snake(name: str) -> str:
    """camelCase / PascalCase (with acronyms) to snake_case."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()
