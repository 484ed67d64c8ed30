#!/usr/bin/env bash
# Issue 23's AI figures: `samplemind bench --ai --redis` against a fresh redis-server on a free
# loopback port, with LiteLLM's Redis cache timed in the same run (scripts/fetch-peers.sh
# makes its venv). A benchmark, not a test: run it by hand; figures go in BENCHMARKS.md.
#
#   scripts/bench-shared-ai.sh [--json]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
command -v redis-server > /dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" > /dev/null &
redis_pid=$!
trap 'kill $redis_pid 2> /dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do redis-cli -p "$port" ping > /dev/null 2>&1 && break; sleep 0.05; done
# The demo folder keeps the bench's analysis part short; the AI parts are what this is for.
SAMPLEMIND_HOME=$work/home "$here/target/release/samplemind" bench "$here/assets/demo" --ai \
  --redis "redis://127.0.0.1:$port/0" --tree-files 0 --search-size 0 "$@"
