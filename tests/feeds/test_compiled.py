"""The compiled build of the feed parser (mypyc) is what runs when it is installed.

``.ci/run`` builds the wheel with the mypyc hook, installs it ahead of the editable checkout
and runs ``tests/feeds`` against it with ``SMIDO_EXPECT_COMPILED=1``: every feed test then
checks the compiled modules, and this one makes sure they really were the ones imported (a
build that silently fell back to the pure modules would pass everything else).
"""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import sys
from pathlib import Path

import salesmanago_idosell
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


def test_compiled_says_false_for_the_pure_modules_shipped_without_sources(tmp_path: Path) -> None:
    # a bundler (PyInstaller) or a sourceless install runs the pure modules from ``.pyc``
    # files: COMPILED looked at the file name and answered True there
    installed = Path(salesmanago_idosell.__file__).parent
    copy = tmp_path / "salesmanago_idosell"
    shutil.copytree(installed, copy, ignore=shutil.ignore_patterns("__pycache__"))
    for runtime in installed.parent.glob("*__mypyc*"):  # the compiled build's shared library
        shutil.copy2(runtime, tmp_path)
    assert compileall.compile_dir(copy, quiet=1, legacy=True)
    for source in copy.rglob("*.py"):
        source.unlink()
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    check = "from salesmanago_idosell import feeds; print(feeds._stream.__file__, feeds.COMPILED)"
    ran = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, check=True
    )
    where, compiled = ran.stdout.split()
    assert where.startswith(str(copy))
    assert where.endswith(".so" if EXPECT_COMPILED else ".pyc")
    assert compiled == str(EXPECT_COMPILED)


def test_the_parser_imported_is_built_from_the_sources_under_test() -> None:
    # the compiled build sits in a directory of its own (``compiled_build DIR``): one built
    # before the sources were edited would run the feed tests on the old parser, and pass
    sources = Path(__file__).resolve().parents[2] / "src" / "salesmanago_idosell" / "feeds"
    for module in (_stream, _convert):
        name = module.__name__.rpartition(".")[2]
        imported = Path(module.__file__ or "").with_name(f"{name}.py")
        assert imported.read_bytes() == (sources / f"{name}.py").read_bytes(), (
            f"{module.__file__} was built from another {name}.py than {sources}: rebuild it"
            " (source .ci/compiled.sh && compiled_build DIR)"
        )
