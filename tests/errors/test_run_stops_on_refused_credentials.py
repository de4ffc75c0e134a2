"""A wrong secret stops a sync at the first request with one AuthenticationError."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from salesmanago_idosell.errors import AuthenticationError
from salesmanago_idosell.integration import Integration
from tests.integration.support import make_integration, sandbox

RUNS: dict[str, Callable[[Integration], object]] = {
    "customers": lambda i: i.export_customers(),
    "subscribers": lambda i: i.export_subscribers(),
    "orders": lambda i: i.sync_orders(),
    "changes": lambda i: i.sync_changes(),
}


@pytest.mark.parametrize("stream", sorted(RUNS))
def test_wrong_salesmanago_secret_stops_the_run_at_the_first_request(stream: str) -> None:
    with sandbox(customers=30, subscribers=10, orders=20) as box:
        integration = make_integration(box, salesmanago_api_secret="wrong-secret-value")
        with pytest.raises(AuthenticationError) as info:
            RUNS[stream](integration)
        assert integration.salesmanago.request_count == 1
        assert "Not authenticated" in str(info.value)
        integration.close()


def test_wrong_idosell_key_stops_the_run_at_the_first_request() -> None:
    with sandbox(customers=30) as box:
        integration = make_integration(box, idosell_api_key="wrong-idosell-key")
        with pytest.raises(AuthenticationError):
            integration.export_customers()
        assert integration.idosell.request_count == 1
        assert integration.salesmanago.request_count == 0
        integration.close()


def test_wrong_v3_key_stops_the_offer_sync(tmp_path: Path) -> None:
    with sandbox(products=10) as box:
        full, _ = box.write_feeds(tmp_path)
        integration = make_integration(box, salesmanago_api_v3_key="wrong-v3-key-value")
        with pytest.raises(AuthenticationError):
            integration.sync_offer(str(full))
        assert integration.salesmanago.request_count == 1
        integration.close()
