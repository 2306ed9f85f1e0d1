#!/usr/bin/env bash
# Install the test dependencies and run every test (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[test]"
# The browser tests (tests/test_tour.py, tests/test_web_browser.py) use Debian's headless chromium;
# the web tests drive it with playwright from the test extra (its own browser download is never used).
command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
# Lint and format first: ruff's settings are in pyproject.toml.
python -m ruff check .
python -m ruff format --check .
# Among the tests: tests/test_docs.py builds the documentation site (the build of scripts/docs.sh,
# warnings as errors) and runs every example in docs/; tests/test_notebook.py runs the notebook.
# One worker per core (pytest-xdist), each test file kept on one worker so that a file's
# compiled kernels and fixtures load once.
python -m pytest -q -n auto --dist loadfile
# The ops with compiled loops also have a pure-NumPy path: run their tests on it too.
UPSAMPLE_JIT=0 python -m pytest -q -p no:cacheprovider -n auto --dist loadfile \
    tests/test_conv.py tests/test_pool.py tests/test_avg_pool.py tests/test_interpolate.py \
    tests/test_adjoint.py tests/test_conventions.py tests/test_dask.py
