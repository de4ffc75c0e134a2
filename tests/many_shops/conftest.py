"""A real Celery worker (prefork, 2 processes) on a real Redis, with PostgreSQL state.

The sandboxes (fake IdoSell and SALESmanago) run in the test process on loopback; the
worker reaches them through the registry file the tests write (URLs in each shop's
settings, secrets referenced by environment variable names set for the worker).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..services import postgres_url, redis_url

ROOT = Path(__file__).resolve().parents[2]
#: The sandbox's fixed secrets, given to the worker under these variable names.
SECRETS = {
    "SANDBOX_IDOSELL_KEY": "sandbox-idosell-key",
    "SANDBOX_SM_SECRET": "sandbox-api-secret",
    "SANDBOX_SM_V3_KEY": "sandbox-v3-key",
}


class Worker:
    """The running worker and the app the test process uses to enqueue and read results."""

    def __init__(self, process: subprocess.Popen[bytes], app: Any, shops: Any, registry: Path):
        self.process = process
        self.app = app
        self.shops = shops
        self.registry = registry
        self.log = registry.parent / "worker.log"


def _wait_ready(app: Any, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the worker exited: {log.read_text()[-3000:]}")
        replies = app.control.ping(timeout=0.5)
        if replies:
            return
    raise RuntimeError(f"the worker did not answer in 60 s: {log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    pg, redis = postgres_url(), redis_url()
    tmp = tmp_path_factory.mktemp("celery")
    registry = tmp / "shops.toml"
    registry.write_text("[shops]\n")
    env = {
        **os.environ,
        **SECRETS,
        "SMIDO_TEST_QUEUE": f"smido-tests-{uuid.uuid4().hex[:8]}",
        "SMIDO_TEST_REGISTRY": str(registry),
        "SMIDO_TEST_POSTGRES_URL": pg,
        "SMIDO_TEST_REDIS_URL": redis,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    # the app in this process must match the worker's (same queue, registry and state)
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    log = tmp / "worker.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable, "-m", "celery", "-A", "tests.many_shops.worker_app", "worker",
                "--pool", "prefork", "--concurrency", "2", "--loglevel", "INFO",
                "--without-gossip", "--without-mingle", "-n", f"smido-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    from . import worker_app

    try:
        _wait_ready(worker_app.app, process, log)
        yield Worker(process, worker_app.app, worker_app.shops, registry)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
