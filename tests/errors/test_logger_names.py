"""The scrubbing filter sits on the package logger: no module may log through another one."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "salesmanago_idosell"


def test_every_module_logs_through_the_filtered_package_logger() -> None:
    calls = {
        path.relative_to(SRC).as_posix(): re.findall(r"getLogger\(([^)]*)\)", path.read_text())
        for path in SRC.rglob("*.py")
    }
    allowed = {'"salesmanago_idosell"', "__name__", "name"}  # __name__ only in __init__.py
    wrong = {
        module: args
        for module, args in calls.items()
        if any(a not in allowed or (a == "__name__" and module != "__init__.py") for a in args)
    }
    assert wrong == {}
    assert len([m for m, a in calls.items() if a]) >= 5
