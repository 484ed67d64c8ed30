#!/usr/bin/env bash
# The peers that `samplemind bench --peers` times in the same run, from PyPI:
# - vendor/peers: Essentia (the version ../shared/eval/peers-dev.md used), the analysis peer;
# - vendor/peers-ai: LiteLLM 1.106.2 (the version the AI issue measured; 1.107.0 was a
#   compromised release), the AI layer's peer. Its Router's cache path imports fastapi,
#   orjson and soundfile, which the bare package does not pull in: they are pinned here
#   instead of the 700 MB `litellm[proxy]` extra. Its Redis cache (issue 23's peer) needs the
#   `redis` client package.
# Idempotent: a venv that already imports its package is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}

venv=$root/vendor/peers
if "$venv/bin/python" -c "import essentia" 2>/dev/null; then
  echo "fetch-peers: essentia ready in $venv"
else
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "essentia==2.1b6.dev1389"
  "$venv/bin/python" -c "import essentia.standard" 2>/dev/null
  echo "fetch-peers: essentia installed in $venv"
fi

venv=$root/vendor/peers-ai
if "$venv/bin/python" -c "import litellm, fastapi, orjson, soundfile, redis" 2>/dev/null; then
  echo "fetch-peers: litellm ready in $venv"
else
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "litellm==1.106.2" \
    "fastapi==0.165.0" "orjson==3.13.0" "soundfile==0.14.0" "redis==6.4.0"
  "$venv/bin/python" -c "import litellm" 2>/dev/null
  echo "fetch-peers: litellm installed in $venv"
fi
