#!/usr/bin/env bash
# Install the test dependencies and run every test (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[test]"
python -m pytest -q
