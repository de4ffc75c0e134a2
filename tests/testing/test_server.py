"""Server lifecycle, concurrency and the request log (plain HTTP against the fakes)."""

from __future__ import annotations

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from salesmanago_idosell.testing import FakeIdoSell, FakeSalesmanago

from .support import ido_get, sm_call


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, int(port))) == 0


def test_context_manager_binds_loopback_and_releases_port() -> None:
    with FakeSalesmanago() as fake:
        url = fake.url
        assert url.startswith("http://127.0.0.1:")
        assert _port_open(url)
    assert not fake.running
    assert not _port_open(url)


def test_url_before_start_raises() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = FakeIdoSell().url


def test_stop_closes_kept_alive_connections_without_leaking_threads() -> None:
    before = threading.active_count()
    fake = FakeIdoSell().start()
    session = requests.Session()
    for _ in range(3):
        assert ido_get_with(session, fake).status_code == 200
    fake.stop()
    fake.stop()  # idempotent
    session.close()
    assert threading.active_count() == before


def ido_get_with(session: requests.Session, fake: FakeIdoSell) -> requests.Response:
    """One clients-gate call over a kept-alive session."""
    return session.get(
        fake.url + "/api/admin/v6/clients/clients",
        params={"resultsLimit": 1},
        headers={"X-API-KEY": fake.api_key},
        timeout=5,
    )


def test_start_and_stop_explicitly_twice() -> None:
    fake = FakeSalesmanago()
    for _ in range(2):
        fake.start()
        assert sm_call(fake, "/api/contact/hasContact", {"email": "a@b.pl"})["result"] is False
        fake.stop()
    assert fake.count() == 2


def test_concurrent_requests_are_all_answered(idosell: FakeIdoSell) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: ido_get(idosell, "/clients/clients").status_code,
                                 range(64)))  # fmt: skip
    assert statuses == [200] * 64
    assert idosell.count("GET /clients/clients") == 64


def test_request_log_records_method_path_status_and_time(idosell: FakeIdoSell) -> None:
    ido_get(idosell, "/clients/clients", {"resultsLimit": 2})
    requests.get(idosell.url + "/api/admin/v6/clients/clients", timeout=5)
    first, second = idosell.requests
    assert (first.method, first.path, first.status) == ("GET", "/api/admin/v6/clients/clients", 200)
    assert second.status == 401
    assert first.endpoint == "GET /clients/clients"
    assert 0 <= first.duration < 5
    assert first.started <= second.started
    assert idosell.count("/clients/clients", status=401) == 1
    idosell.clear_log()
    assert idosell.requests == []


def test_unknown_paths_answer_404(sm: FakeSalesmanago, idosell: FakeIdoSell) -> None:
    assert requests.post(sm.url + "/api/nope", json={}, timeout=5).status_code == 404
    assert ido_get(idosell, "/clients/nope").status_code == 404
    assert requests.get(idosell.url + "/favicon.ico", timeout=5).status_code == 404
