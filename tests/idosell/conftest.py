"""Shared helpers for the IdoSell client tests: the client, HTTP mocks, spec checks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jsonschema  # type: ignore[import-untyped]
import pytest
import responses

from salesmanago_idosell.idosell import IdosellClient

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = "https://sklep.example.pl"
BASE = SHOP + "/api/admin/v6"
API_KEY = "idosell-test-key-7f3a9c"


def load(name: str) -> Any:
    """A JSON fixture from ``fixtures/``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    """The v6 OpenAPI operations this client uses (copied from the shared spec)."""
    data: dict[str, Any] = load("idosell-admin-v6-subset.json")
    return data


def operation(path: str, method: str) -> dict[str, Any]:
    """One operation of the spec."""
    op: dict[str, Any] = spec()["paths"][path][method.lower()]
    return op


def check_body(path: str, method: str, body: Any) -> None:
    """Validate a request body against the spec's request schema (``params`` wrapping too)."""
    schema = operation(path, method)["requestBody"]["content"]["application/json"]["schema"]
    jsonschema.validate(body, schema)
    assert set(body) <= set(schema["properties"]), "unknown top-level keys"
    _no_unknown_keys(body["params"], schema["properties"]["params"], "params")


def _no_unknown_keys(value: Any, schema: Mapping[str, Any], where: str) -> None:
    if isinstance(value, Mapping):
        props = schema.get("properties", {})
        unknown = set(value) - set(props)
        assert not unknown, f"{where}: keys not in the spec: {unknown}"
        for key, item in value.items():
            _no_unknown_keys(item, props[key], f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _no_unknown_keys(item, schema.get("items", {}), f"{where}[]")


def check_query(path: str, method: str, query: Mapping[str, list[str]]) -> None:
    """Check query names (incl. deepObject brackets), casing and value types against the spec."""
    params = {p["name"]: p for p in operation(path, method).get("parameters", [])}
    for key, values in query.items():
        name, _, inner = key.partition("[")
        assert name in params, f"query parameter {name!r} is not in the spec"
        param = params[name]
        schema = param["schema"]
        assert len(values) == 1, f"{key} sent more than once"
        if inner:
            assert param["style"] == "deepObject"
            schema = schema["properties"][inner.rstrip("]")]
        _check_query_value(key, values[0], schema)


def _check_query_value(key: str, value: str, schema: Mapping[str, Any]) -> None:
    kind = schema.get("type")
    items = value.split(",") if kind == "array" else [value]
    item_schema = schema.get("items", {}) if kind == "array" else schema
    for item in items:
        if item_schema.get("type") == "integer":
            assert item.lstrip("-").isdigit(), f"{key}: {item!r} is not an integer"
        if "enum" in item_schema:
            assert item in item_schema["enum"], f"{key}: {item!r} not in {item_schema['enum']}"


def check_response(path: str, method: str, payload: Any, status: str = "200") -> None:
    """Validate a response fixture against the spec's response schema."""
    content = operation(path, method)["responses"][status]["content"]
    jsonschema.validate(payload, content["application/json"]["schema"])


def sent_body(call: Any) -> Any:
    """The JSON body of a recorded request."""
    return json.loads(call.request.body)


def sent_query(call: Any) -> dict[str, list[str]]:
    """The query of a recorded request, decoded."""
    return parse_qs(urlsplit(call.request.url).query, keep_blank_values=True)


@pytest.fixture
def sleeps() -> list[float]:
    """Delays the client slept for (retries), recorded instead of slept."""
    return []


@pytest.fixture
def client(sleeps: list[float]) -> IdosellClient:
    """A strict client (unknown response fields fail) that never really sleeps."""
    return IdosellClient(shop_url=SHOP, api_key=API_KEY, strict=True, sleep=sleeps.append)


@pytest.fixture
def lenient(sleeps: list[float]) -> IdosellClient:
    """A production (lenient) client."""
    return IdosellClient(shop_url=SHOP, api_key=API_KEY, sleep=sleeps.append)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """Mocked HTTP; every registered response must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps
