"""Every code example of README.md and docs/ runs against the sandbox (see ``examples``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs.examples import PAGES, ROOT, DocsWorld, examples, run_page


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DocsWorld]:
    docs_world = DocsWorld(tmp_path)
    docs_world.start()
    for name, value in docs_world.environment().items():
        monkeypatch.setenv(name, value)
    package = logging.getLogger("salesmanago_idosell")
    level, root_handlers = package.level, list(logging.root.handlers)
    try:
        yield docs_world
    finally:
        docs_world.stop()
        package.setLevel(level)  # a page may configure logging, as its reader would
        logging.root.handlers[:] = root_handlers


PAGES_WITH_EXAMPLES = [p for p in PAGES if examples(p)]


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_page_examples_run(page: Path, world: DocsWorld) -> None:
    for example in run_page(page, world):  # a skip must say why
        assert len(example.skip or "") > 10, example.name


def test_the_runner_finds_the_examples() -> None:
    found = {p.relative_to(ROOT).as_posix(): len(examples(p)) for p in PAGES}
    assert found["README.md"] >= 3
    assert found["docs/idosell.md"] >= 8
    assert sum(found.values()) >= 30
    skipped = [e.name for p in PAGES for e in examples(p) if e.skip]
    # only the examples for other frameworks (Flask, Django, FastAPI, Airflow, Celery, a
    # webhook view), the webhook sender's placeholders (run for real by its own test) and
    # the many-shops recipes needing a broker or a database (tests/many_shops/ runs them)
    assert len(skipped) == 10, skipped


def test_a_sandbox_endpoint_is_the_v3_default_too() -> None:
    from salesmanago_idosell import SalesmanagoClient

    local = SalesmanagoClient(client_id="c", api_secret="s", owner="o@x.pl",
                              endpoint="http://127.0.0.1:8123", api_v3_key="k")  # fmt: skip
    real = SalesmanagoClient(client_id="c", api_secret="s", owner="o@x.pl",
                             endpoint="app2.salesmanago.pl", api_v3_key="k")  # fmt: skip
    assert local._v3 is not None
    assert local._v3.base_url == "http://127.0.0.1:8123"
    assert real._v3 is not None
    assert real._v3.base_url == "https://api.salesmanago.com"
    local.close()
    real.close()


def test_no_markdown_table_is_split_by_a_blank_line() -> None:
    broken = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for n in range(2, len(lines)):
            starts_new_table = n + 1 < len(lines) and lines[n + 1].startswith("|---")
            if (
                lines[n].startswith("|")
                and not lines[n - 1].strip()
                and lines[n - 2].startswith("|")
                and not starts_new_table
            ):
                broken.append(f"{page.relative_to(ROOT)}:{n + 1}")
    assert broken == []
