#!/usr/bin/env bash
# Build the documentation site into site/ (open site/index.html, or serve the folder).
# Installs the package with its `docs` extra first; --no-install skips that step.
# Warnings are errors (mkdocs.yml sets strict): a broken link, a docstring that does not
# render or a missing reference target fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" != "--no-install" ]]; then
    python -m pip install -q -e ".[docs]"
fi
export NO_MKDOCS_2_WARNING=1
python -m mkdocs build --strict --site-dir site
echo "built site/index.html"
