"""The real services some tests need: PostgreSQL and Redis (started by ``.ci/services.sh``).

Locally, a test needing a service that is not configured is skipped with the reason; with
``SMIDO_REQUIRE_SERVICES=1`` (set by ``.ci/run``) it fails instead, so CI cannot pass
without them. Run them locally with ``source .ci/services.sh && services_start``.
"""

from __future__ import annotations

import os
import uuid

import pytest

HOW = "start them with: source .ci/services.sh && services_start (see README, 'Tests')"


def _service(variable: str, what: str) -> str:
    url = os.environ.get(variable, "").strip()
    if url:
        return url
    message = f"{what} not available: {variable} is not set; {HOW}"
    if os.environ.get("SMIDO_REQUIRE_SERVICES") == "1":
        pytest.fail(f"SMIDO_REQUIRE_SERVICES=1 but {message}", pytrace=False)
    pytest.skip(message)


def postgres_url() -> str:
    """The test PostgreSQL server's URL (or skip / fail, see the module docstring)."""
    pytest.importorskip("psycopg", reason="the 'postgres' extra is not installed")
    return _service("SMIDO_TEST_POSTGRES_URL", "PostgreSQL")


def redis_url() -> str:
    """The test Redis server's URL (or skip / fail)."""
    pytest.importorskip("celery", reason="the 'celery' extra is not installed")
    return _service("SMIDO_TEST_REDIS_URL", "Redis")


def unique(prefix: str) -> str:
    """A shop key no other test uses (tests share one database)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"
