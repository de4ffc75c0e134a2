"""Plain-HTTP helpers for the sandbox tests (``requests``, never the SDK's clients)."""

from __future__ import annotations

from typing import Any

import requests

from salesmanago_idosell.testing import FakeIdoSell, FakeSalesmanago

API = "/api/admin/v6"
TIMEOUT = 5


def ido_get(
    fake: FakeIdoSell, gate: str, params: dict[str, Any] | None = None
) -> requests.Response:
    """GET an IdoSell gate with the right key."""
    return requests.get(
        fake.url + API + gate, params=params, headers={"X-API-KEY": fake.api_key}, timeout=TIMEOUT
    )


def ido_post(
    fake: FakeIdoSell, gate: str, params: dict[str, Any], *, method: str = "POST"
) -> requests.Response:
    """POST (or PUT) ``{"params": params}`` to an IdoSell gate."""
    return requests.request(
        method,
        fake.url + API + gate,
        json={"params": params},
        headers={"X-API-KEY": fake.api_key},
        timeout=TIMEOUT,
    )


def sm_call(fake: FakeSalesmanago, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a v2 method with valid auth merged in; returns the decoded JSON (HTTP 200)."""
    response = requests.post(fake.url + path, json={**fake.auth_fields(), **body}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def v3_call(
    fake: FakeSalesmanago, path: str, body: dict[str, Any] | None = None, *, key: str | None = None
) -> requests.Response:
    """Call a v3 method with the ``API-KEY`` header (GET when ``body`` is ``None``)."""
    headers = {"API-KEY": fake.api_v3_key if key is None else key}
    if body is None:
        return requests.get(fake.url + path, headers=headers, timeout=TIMEOUT)
    return requests.post(fake.url + path, json=body, headers=headers, timeout=TIMEOUT)
