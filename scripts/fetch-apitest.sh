#!/usr/bin/env bash
# Installs schemathesis (PyPI) into a venv at vendor/apitest: the property-based run of the
# API tests generates requests from the server's own OpenAPI document and fails on any 5xx.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/vendor/apitest"
version=4.32.5
if [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  echo "fetch-apitest: schemathesis $version ready in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q "schemathesis==$version"
echo "fetch-apitest: schemathesis $version ready in $venv"
