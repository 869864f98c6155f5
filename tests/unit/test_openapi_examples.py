"""Every JSON body the API takes or answers is documented with an example that fits it."""

import json
from typing import Any

from devteam_gateway.app import create_app
from devteam_gateway.examples import ANSWERS, REQUESTS


def referenced(schema: dict[str, Any] | None) -> str | None:
    """The component a body's schema names (directly or as a list's items)."""
    if not schema:
        return None
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def test_every_json_body_and_answer_has_examples() -> None:
    doc = create_app().openapi()
    schemas = doc["components"]["schemas"]
    missing, bodies = [], set()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            content = op.get("requestBody", {}).get("content", {})
            named = [referenced(content.get("application/json", {}).get("schema"))]
            for code, answer in op["responses"].items():
                if code.startswith("2"):
                    json_answer = answer.get("content", {}).get("application/json", {})
                    named.append(referenced(json_answer.get("schema")))
            for name in filter(None, named):
                bodies.add(name)
                if not schemas[name].get("examples"):
                    missing.append(f"{method.upper()} {path}: {name}")
    assert not missing, missing
    # and no example is kept for a body the API no longer has
    assert {m.__name__ for m in (*REQUESTS, *ANSWERS)} == bodies


def test_examples_are_what_the_models_accept_and_produce() -> None:
    schemas = create_app().openapi()["components"]["schemas"]
    for model in REQUESTS:  # a request example is JSON a client may send
        for example in schemas[model.__name__]["examples"]:
            model.model_validate_json(json.dumps(example))
    for model in ANSWERS:  # an answer's example is the server's own serialisation
        for example in schemas[model.__name__]["examples"]:
            again = model.model_validate_json(json.dumps(example)).model_dump(mode="json")
            assert again == example
