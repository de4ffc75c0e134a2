"""The runnable example of docs/callbacks.md works as printed."""

from __future__ import annotations

from pathlib import Path

from salesmanago_idosell.testing import FakeIdoSell

DOC = Path(__file__).parents[2] / "docs" / "callbacks.md"


def test_docs_wsgiref_example_runs() -> None:
    code = DOC.read_text(encoding="utf-8").split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    fake = namespace["fake"]
    assert isinstance(fake, FakeIdoSell)
    assert fake.count("PUT /clients/clients") == 1
    assert namespace["answer"] == {"success": True, "message": "Email successfully unsubscribed"}


def test_docs_golden_urls_match_the_code() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "'https://sklep.example.pl/salesmanago/opt-in?email=$email$&token=Xk3-pQ9_wL2z'" in text
    assert (
        "'https://sklep.example.pl/hooks/salesmanago/opt-out?email=$email$&token=Xk3-pQ9_wL2z'"
        in text
    )
