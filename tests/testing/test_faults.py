"""Fault injection: every kind, per endpoint, deterministic by seed, counted in the log."""

from __future__ import annotations

import time

import pytest
import requests

from salesmanago_idosell.testing import FakeIdoSell, FakeSalesmanago, Faults

from .support import TIMEOUT, ido_get

UPSERT = "POST /api/contact/upsert"


def _upsert(fake: FakeSalesmanago, email: str) -> requests.Response:
    body = {**fake.auth_fields(), "contact": {"email": email}}
    return requests.post(fake.url + "/api/contact/upsert", json=body, timeout=TIMEOUT)


def _statuses(seed: int, n: int = 40) -> list[int]:
    with FakeIdoSell(seed=seed, faults=Faults(error_rate=0.3, throttle_rate=0.2)) as fake:
        return [ido_get(fake, "/system/serverLoad").status_code for _ in range(n)]


def test_error_rate_answers_5xx_html_pages() -> None:
    with FakeIdoSell(faults=Faults(error_rate=1.0)) as fake:
        answers = [ido_get(fake, "/system/serverLoad") for _ in range(12)]
    assert {a.status_code for a in answers} <= {500, 502, 503}
    assert len({a.status_code for a in answers}) > 1
    assert all(a.headers["Content-Type"].startswith("text/html") for a in answers)
    assert [r.fault for r in fake.requests] == ["error"] * 12


def test_throttle_answers_429_with_retry_after() -> None:
    with FakeIdoSell(faults=Faults(throttle_rate=1.0, retry_after=7)) as fake:
        answer = ido_get(fake, "/clients/clients")
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "7"


def test_dropped_connection_gets_no_answer_and_is_logged() -> None:
    with FakeSalesmanago(faults=Faults(drop_rate=1.0)) as fake:
        with pytest.raises(requests.ConnectionError):
            _upsert(fake, "jan@wp.pl")
        assert fake.contacts == {}
        assert fake.requests[0].status == 0
        assert fake.requests[0].fault == "drop"


def test_latency_is_added() -> None:
    with FakeIdoSell(faults=Faults(latency=0.2)) as fake:
        started = time.perf_counter()
        assert ido_get(fake, "/system/serverLoad").status_code == 200
    assert time.perf_counter() - started >= 0.2
    assert fake.requests[0].duration >= 0.2


def test_fail_after_write_stores_then_answers_500() -> None:
    with FakeSalesmanago(faults=Faults(fail_after_write_rate=1.0)) as fake:
        assert _upsert(fake, "ola@o2.pl").status_code == 500
        assert "ola@o2.pl" in fake.contacts


def test_fail_after_write_can_drop_the_connection() -> None:
    faults = Faults(fail_after_write_rate=1.0, fail_after_write_status=None)
    with FakeSalesmanago(faults=faults) as fake:
        with pytest.raises(requests.ConnectionError):
            _upsert(fake, "ola@o2.pl")
        assert "ola@o2.pl" in fake.contacts
        assert fake.requests[0].fault == "after_write_drop"


def test_faults_per_endpoint_leave_other_endpoints_alone() -> None:
    with FakeSalesmanago(faults={UPSERT: Faults(error_rate=1.0)}) as fake:
        assert _upsert(fake, "a@wp.pl").status_code >= 500
        body = {**fake.auth_fields(), "email": "a@wp.pl"}
        other = requests.post(fake.url + "/api/contact/hasContact", json=body, timeout=TIMEOUT)
        assert other.status_code == 200
        fake.set_faults(None, endpoint=UPSERT)
        assert _upsert(fake, "a@wp.pl").status_code == 200


def test_injected_faults_are_consumed_in_order() -> None:
    with FakeIdoSell() as fake:
        fake.faults.inject("error", endpoint="GET /system/serverLoad", status=502)
        fake.faults.inject("throttle", times=2)
        codes = [ido_get(fake, "/system/serverLoad").status_code for _ in range(4)]
    assert codes == [502, 429, 429, 200]
    assert fake.count(status=429) == 2


def test_same_seed_same_faults_and_other_seed_differs() -> None:
    first, again, other = _statuses(3), _statuses(3), _statuses(4)
    assert first == again
    assert first != other
    assert {200, 429} <= set(first)


def test_fault_rates_are_validated() -> None:
    with pytest.raises(ValueError, match="sum"):
        Faults(error_rate=0.7, drop_rate=0.5)
    with pytest.raises(ValueError, match="latency"):
        Faults(latency=-1)
