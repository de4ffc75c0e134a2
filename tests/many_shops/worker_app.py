"""The Celery app the tests' worker runs: the SDK's tasks registered on a plain app.

Everything comes from the environment the test fixture starts the worker with: the Redis
broker, the PostgreSQL state, the registry file (re-read by every task, so each test writes
its shops there) and the queue name (unique per test session).
"""

from __future__ import annotations

import os

from celery import Celery

from salesmanago_idosell.celery import register

app = Celery(
    "smido-tests",
    broker=os.environ["SMIDO_TEST_REDIS_URL"],
    backend=os.environ["SMIDO_TEST_REDIS_URL"],
)
app.conf.update(
    task_default_queue=os.environ["SMIDO_TEST_QUEUE"],
    worker_prefetch_multiplier=1,
    task_track_started=True,
    result_expires=600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
shops = register(
    app,
    registry=os.environ["SMIDO_TEST_REGISTRY"],
    state=os.environ["SMIDO_TEST_POSTGRES_URL"],
    lease_ttl=float(os.environ.get("SMIDO_TEST_LEASE_TTL", "30")),
    backoff_base=1.0,  # seconds before the first retry (5 s by default)
    max_retries=2,
    redelivery_delay=2.0,  # > the fake SALESmanago's 0.15 s answer time in the kill test
)
