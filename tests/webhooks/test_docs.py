"""The runnable example of docs/monitoring.md works as printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOC = Path(__file__).parents[2] / "docs" / "monitoring.md"


def test_docs_install_example_runs(capsys: Any) -> None:
    code = DOC.read_text(encoding="utf-8").split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    printed = capsys.readouterr().out
    assert printed.startswith("would make 4 changes")
    assert "made 4 changes" in printed
    assert "nothing to change" in printed
    assert printed.rstrip().endswith("2 cookie definitions; up to date")
    assert [s["name"] for s in namespace["shown"]] == ["SALESmanago monitoring code"]
    assert len(namespace["removed"].calls) == 3
