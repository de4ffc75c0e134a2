"""The compiled build of the feed parser (mypyc) is what runs when it is installed.

``.ci/run`` builds the wheel with the mypyc hook, installs it ahead of the editable checkout
and runs ``tests/feeds`` against it with ``SMIDO_EXPECT_COMPILED=1``: every feed test then
checks the compiled modules, and this one makes sure they really were the ones imported (a
build that silently fell back to the pure modules would pass everything else).
"""

from __future__ import annotations

import os
from pathlib import Path

from salesmanago_idosell import feeds
from salesmanago_idosell.feeds import _convert, _stream

EXPECT_COMPILED = os.environ.get("SMIDO_EXPECT_COMPILED") == "1"


def test_the_parser_runs_compiled_exactly_when_the_compiled_build_is_installed() -> None:
    assert feeds.COMPILED is EXPECT_COMPILED
    suffixes = {".so", ".pyd"} if EXPECT_COMPILED else {".py"}
    for module in (_stream, _convert):
        found = Path(module.__file__ or "")
        assert found.suffix in suffixes, (
            f"{found} was imported: compiled modules beside the sources of an editable install"
            " (built with HATCH_BUILD_HOOK_ENABLE_MYPYC=1) shadow them; delete the .so files"
            if found.suffix != ".py"
            else f"{found} was imported, not the compiled build"
        )
