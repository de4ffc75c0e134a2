"""Developer tasks: ``nox -s tests lint typecheck smoke``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests"]
nox.options.reuse_existing_virtualenvs = True

ALL_PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


def _runs(version: str) -> bool:
    exe = shutil.which(f"python{version}")
    if exe is None:
        return False
    return subprocess.run([exe, "--version"], capture_output=True, check=False).returncode == 0


def _find_pythons() -> list[str]:
    """Python 3.10-3.13 on PATH, including pyenv versions that are installed but not global."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    bins = sorted(str(p) for p in pyenv.glob("3.1[0-3]*/bin")) if pyenv.is_dir() else []
    if bins:
        os.environ["PATH"] = os.pathsep.join([*bins, os.environ.get("PATH", "")])
    return [v for v in ALL_PYTHONS if _runs(v)] or ["3"]


PYTHONS = _find_pythons()
LINT_PATHS = ["src", "tests", "benchmarks", "noxfile.py"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite on every Python 3.10-3.13 found on the machine."""
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", *LINT_PATHS)
    session.run("ruff", "format", "--check", *LINT_PATHS)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on src and tests."""
    session.install("-e", ".[dev]")
    session.run("mypy", "--strict", "src", "tests")


@nox.session
def smoke(session: nox.Session) -> None:
    """Build sdist + wheel, twine check, install the wheel in a clean venv and import it."""
    session.install("build", "twine")
    dist = Path(tempfile.mkdtemp(prefix="smido-dist-"))
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *[str(p) for p in dist.iterdir()])
    wheel = next(dist.glob("*.whl"))
    venv = dist / "venv"
    session.run("python", "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    session.run(python, "-m", "pip", "install", "--quiet", str(wheel), external=True)
    session.run(
        python,
        "-c",
        "import salesmanago_idosell as s; print('imported salesmanago_idosell', s.__version__)",
        external=True,
    )


@nox.session(python=PYTHONS)
def compiled(session: nox.Session) -> None:
    """The compiled build of the feed parser (mypyc): build its wheel, run the feed tests on it.

    ``nox -s compiled -- benchmarks/iof_parse.py --sizes 10000`` runs a script on it instead.
    """
    session.install("-e", ".[dev]")
    target = Path(tempfile.mkdtemp(prefix="smido-compiled-"))
    build = f'source .ci/compiled.sh && compiled_build "{target}"'
    session.run("bash", "-c", build, external=True)  # the same build as .ci/run
    session.env["PYTHONPATH"] = str(target)
    if session.posargs:
        session.run("python", *session.posargs)
    else:
        session.env["SMIDO_EXPECT_COMPILED"] = "1"
        session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/feeds")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site (offline, warnings are errors); ``nox -s docs -- serve`` to preview."""
    session.install("-e", ".[docs]")
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve")
    else:
        session.run("mkdocs", "build", "--strict")
