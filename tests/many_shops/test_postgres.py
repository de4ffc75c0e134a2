"""PostgreSQL-only behaviour of the state store and the shared IdoSell budget.

The store's common behaviour is the parametrised suite of ``tests/sync/test_state.py``.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from salesmanago_idosell.errors import StateMismatchError, SyncInProgressError
from salesmanago_idosell.shops import ShopConfig
from salesmanago_idosell.sync.delivery import DeliveryState, DeliveryUpdate, LeaseHolder, utcnow

from ..services import postgres_url, unique

SENT = DeliveryState.SENT


@pytest.fixture
def url() -> str:
    return postgres_url()


@pytest.fixture
def schema_url(url: str) -> Iterator[str]:
    """A URL whose tables live in a fresh schema of their own (dropped afterwards)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    yield f"{url}{sep}options={quote(f'-csearch_path={name}')}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def store(database: str, shop: str) -> object:
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    return PostgresStateStore(database, shop=shop)


def test_shops_share_one_database_without_seeing_each_other(url: str) -> None:
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    a = PostgresStateStore(url, shop=unique("a"))
    b = PostgresStateStore(url, shop=unique("b"))
    a.checkpoint("orders", "cursor-a", updates=[DeliveryUpdate(key="1", state=SENT)])
    a.bind("https://a.example.pl | c1")
    b.bind("https://b.example.pl | c1")  # its own identity
    assert b.cursor("orders") is None
    assert b.known("orders", ["1"]) == {}
    a.acquire_lease(LeaseHolder.current(), ttl=60)
    b.acquire_lease(LeaseHolder.current(), ttl=60)  # one lease per shop
    again = PostgresStateStore(url, shop=a.shop)  # another instance, same rows
    assert again.cursor("orders") == "cursor-a"
    with pytest.raises(SyncInProgressError):
        again.acquire_lease(LeaseHolder.current(), ttl=60)
    with pytest.raises(StateMismatchError):
        again.bind("https://b.example.pl | c1")


def test_checkpoint_is_all_or_nothing(url: str) -> None:
    import psycopg

    from salesmanago_idosell.sync.postgres import PostgresStateStore

    s = PostgresStateStore(url, shop=unique("atomic"))
    s.checkpoint("orders", "old", updates=[DeliveryUpdate(key="1", state=SENT)])
    unadaptable = object()  # fails inside the transaction, after the updates were written
    with pytest.raises(psycopg.Error):
        s.checkpoint("orders", unadaptable, updates=[DeliveryUpdate(key="2", state=SENT)])  # type: ignore[arg-type]
    assert s.cursor("orders") == "old"
    assert s.known("orders", ["1", "2"]) == {"1": SENT}


def test_schema_is_created_on_first_use_and_a_newer_one_refused(schema_url: str) -> None:
    import psycopg

    from salesmanago_idosell.sync.postgres import SCHEMA_VERSION, PostgresStateStore

    created = PostgresStateStore(schema_url, shop="x")  # no I/O yet
    exists = "SELECT to_regclass('smido_deliveries') IS NOT NULL"
    with psycopg.connect(schema_url) as conn:
        assert conn.execute(exists).fetchone() == (False,)
    created.cursor("orders")
    with psycopg.connect(schema_url) as conn:
        assert conn.execute(exists).fetchone() == (True,)
        (version,) = conn.execute("SELECT value FROM smido_meta WHERE key='schema'").fetchone()  # type: ignore[misc]
        assert int(version) == SCHEMA_VERSION
        conn.execute("UPDATE smido_meta SET value = '99' WHERE key = 'schema'")
    # a process that opens the database now (another URL = not yet checked here)
    newer = PostgresStateStore(schema_url + "&application_name=newer", shop="x")
    with pytest.raises(StateMismatchError, match="schema 99"):
        newer.cursor("orders")


def test_repr_hides_the_password() -> None:
    from salesmanago_idosell.sync.postgres import PostgresStateStore, masked_url

    s = PostgresStateStore("postgresql://sync:s3cret-pw@db.internal:5433/smido", shop="a")
    assert "s3cret-pw" not in repr(s)
    assert "sync:***@db.internal:5433/smido" in repr(s)
    assert "s3cret" not in masked_url("postgresql://u:s3cret@h/d")


def test_lease_expires_on_the_database_clock(url: str) -> None:
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    s = PostgresStateStore(url, shop=unique("expiry"))
    other = LeaseHolder(host="elsewhere.invalid", pid=1, started_at=utcnow(), token="t")
    s.acquire_lease(other, ttl=0.5)
    assert s.lease() is not None
    with pytest.raises(SyncInProgressError, match=r"elsewhere\.invalid"):
        s.acquire_lease(LeaseHolder.current(), ttl=60)
    time.sleep(0.6)
    assert s.lease() is None
    s.acquire_lease(LeaseHolder.current(), ttl=60)


def _hold(url: str, shop: str, ready: object, release: object) -> None:  # pragma: no cover
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    PostgresStateStore(url, shop=shop).acquire_lease(LeaseHolder.current(), ttl=60)
    ready.set()  # type: ignore[attr-defined]
    release.wait(20)  # type: ignore[attr-defined]


def test_lease_holds_across_processes(url: str) -> None:
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    shop = unique("procs")
    child = ctx.Process(target=_hold, args=(url, shop, ready, release))
    child.start()
    try:
        assert ready.wait(30)
        s = PostgresStateStore(url, shop=shop)
        with pytest.raises(SyncInProgressError, match=f"pid {child.pid}"):
            s.acquire_lease(LeaseHolder.current(), ttl=60)
        release.set()
        child.join(20)
        s.acquire_lease(LeaseHolder.current(), ttl=60)  # the holder is gone
    finally:
        release.set()
        child.join(5)


def _spend(url: str, shop: str, calls: int, start: float) -> None:  # pragma: no cover
    from salesmanago_idosell.sync.postgres import PostgresRateLimiter

    limiter = PostgresRateLimiter(url, shop=shop, per_second=40)
    time.sleep(max(0.0, start - time.time()))
    for _ in range(calls):
        limiter.acquire()


def test_one_budget_per_shop_across_processes(url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    shop, calls = unique("budget"), 12
    start = time.time() + 2.0  # both children spend together
    children = [ctx.Process(target=_spend, args=(url, shop, calls, start)) for _ in range(2)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    elapsed = time.time() - start
    assert [c.exitcode for c in children] == [0, 0]
    # 24 calls at 40/s take >= 23/40 s together; one limiter per process would take 11/40 s
    assert elapsed >= (2 * calls - 1) / 40 * 0.95


def test_a_shop_on_postgres_gets_the_shared_budget(url: str) -> None:
    from salesmanago_idosell.sync.postgres import PostgresRateLimiter

    shop = ShopConfig(
        key=unique("wired"),
        settings={
            "idosell_shop_url": "w.example.pl",
            "salesmanago_client_id": "c",
            "salesmanago_owner": "o@example.pl",
            "salesmanago_endpoint": "app3.salesmanago.pl",
            "idosell_rate_limit": 3,
        },
        secrets={"idosell_api_key": "K", "salesmanago_api_secret": "S"},
    )
    integration = shop.integration(url, environ={"K": "k", "S": "s"})
    limiter = integration.idosell._transport.limiter
    assert isinstance(limiter, PostgresRateLimiter)
    assert limiter.shop == shop.key
    assert limiter.interval == pytest.approx(1 / 3)
    integration.close()
