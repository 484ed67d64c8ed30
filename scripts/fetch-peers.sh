#!/usr/bin/env bash
# The analysis peer that `samplemind bench --peers` times in the same run: Essentia from
# its PyPI wheel (the version ../shared/eval/peers-dev.md used), in a venv at vendor/peers.
# Idempotent: a venv that already imports it is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/vendor/peers
python=${PYTHON:-python3}
if "$venv/bin/python" -c "import essentia" 2>/dev/null; then
  echo "fetch-peers: ready in $venv"
  exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "essentia==2.1b6.dev1389"
"$venv/bin/python" -c "import essentia.standard" 2>/dev/null
echo "fetch-peers: essentia installed in $venv"
