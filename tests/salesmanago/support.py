"""Fixed credentials, a frozen clock and request helpers for the SALESmanago tests."""

from __future__ import annotations

import json
from typing import Any

import responses

from salesmanago_idosell._transport import RetryPolicy
from salesmanago_idosell.salesmanago import SalesmanagoClient
from tests.helpers import FakeClock

CLIENT_ID = "clientid00000001"
API_SECRET = "top-secret-value"
API_KEY = "k3y-0000000000000001"
V3_KEY = "v3-key-abcdef-123456"
OWNER = "owner@shop.pl"
#: SHA-1 of API_KEY + CLIENT_ID + API_SECRET, computed independently with `sha1sum`.
SHA = "d182340b5a1ff03697734b77045e5f4f0fd79dc5"
NOW = 1_764_000_000.123
NOW_MS = 1_764_000_000_123
BASE = "https://app2.salesmanago.pl/api"
V3 = "https://api.salesmanago.com/v3/product"
AUTH = {
    "clientId": CLIENT_ID,
    "apiKey": API_KEY,
    "sha": SHA,
    "requestTime": NOW_MS,
    "owner": OWNER,
}


def make_client(clock: FakeClock | None = None, **options: Any) -> SalesmanagoClient:
    """A client with fixed credentials, a frozen wall clock and instant sleeps."""
    clock = clock or FakeClock()
    settings: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "api_secret": API_SECRET,
        "owner": OWNER,
        "endpoint": "app2.salesmanago.pl",
        "api_key": API_KEY,
        "api_v3_key": V3_KEY,
        "retry": RetryPolicy(max_attempts=3, backoff_base=0.1),
        "sleep": clock.sleep,
        "clock": clock,
        "wallclock": lambda: NOW,
    }
    settings.update(options)
    return SalesmanagoClient(**settings)


def sent(index: int = 0) -> Any:
    """The JSON body of the ``index``-th recorded request."""
    return json.loads(responses.calls[index].request.body or b"null")


def ok(**fields: Any) -> dict[str, Any]:
    """A v2 success answer."""
    return {"success": True, "message": [], **fields}
