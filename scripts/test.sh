#!/usr/bin/env bash
# Install the test dependencies and run every test (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[test]"
# The tour's browser test (tests/test_tour.py) opens index.html in Debian's headless chromium.
command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
python -m pytest -q
# The ops with compiled loops also have a pure-NumPy path: run their tests on it too.
UPSAMPLE_JIT=0 python -m pytest -q -p no:cacheprovider tests/test_pool.py tests/test_interpolate.py tests/test_adjoint.py tests/test_dask.py
