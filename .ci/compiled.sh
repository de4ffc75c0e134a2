# shellcheck shell=bash
# The compiled build of the IOF feed parser (mypyc), for .ci/run, nox and the benchmarks.
#
#   source .ci/compiled.sh
#   compiled_build DIR      # builds the wheel with the mypyc hook, unpacks it into DIR
#   PYTHONPATH=DIR python -m pytest tests/feeds      # the tests, against the compiled modules
#   PYTHONPATH=DIR python benchmarks/iof_parse.py    # the benchmark, compiled and pure
#
# DIR then holds the installed package (compiled modules beside their pure sources) and goes
# ahead of the editable checkout on PYTHONPATH. Needs a C compiler and the Python headers;
# pip fetches hatch-mypyc and mypy into its isolated build environment.

compiled_build() {
    local target=$1 wheels
    wheels=$(mktemp -d "${TMPDIR:-/tmp}/smido-wheel.XXXXXX")
    # from the sdist, as `pip install --no-binary` does: hatch-mypyc compiles in place, so a
    # build straight from the checkout would leave .so files in src/ for the editable install
    python -m build --sdist --outdir "$wheels" . >/dev/null
    HATCH_BUILD_HOOK_ENABLE_MYPYC=1 python -m pip wheel --quiet --no-deps --wheel-dir "$wheels" \
        "$wheels"/*.tar.gz
    python -m pip install --quiet --no-deps --upgrade --target "$target" "$wheels"/*.whl
    rm -rf "$wheels"
}
