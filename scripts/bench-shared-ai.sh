#!/usr/bin/env bash
# Issue 23's AI figures: `samplemind bench --ai --redis` against a fresh redis-server on a free
# loopback port, with LiteLLM's Redis cache timed in the same run (scripts/fetch-peers.sh
# makes its venv). A benchmark, not a test: run it by hand; figures go in BENCHMARKS.md.
#
#   scripts/bench-shared-ai.sh [--cluster] [--json]
#
# --cluster: three masters made one Redis Cluster (redis-cli --cluster create), ours only.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
command -v redis-server > /dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 2; }
nodes=1
if [ "${1:-}" = "--cluster" ]; then nodes=3; shift; fi
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; rm -rf "$work"' EXIT
urls=()
for i in $(seq "$nodes"); do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$work/node$i"
  extra=()
  [ "$nodes" -gt 1 ] && extra=(--cluster-enabled yes --cluster-config-file nodes.conf)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/node$i" \
    "${extra[@]}" > /dev/null &
  pids+=($!)
  up=""
  for _ in $(seq 200); do redis-cli -p "$port" ping > /dev/null 2>&1 && { up=1; break; }; sleep 0.05; done
  [ -n "$up" ] || { echo "redis-server on port $port did not start" >&2; exit 1; }
  urls+=("127.0.0.1:$port")
done
if [ "$nodes" -gt 1 ]; then
  redis-cli --cluster create "${urls[@]}" --cluster-replicas 0 --cluster-yes > /dev/null
  for u in "${urls[@]}"; do
    until redis-cli -h "${u%:*}" -p "${u#*:}" cluster info | grep -q cluster_state:ok; do sleep 0.1; done
  done
fi
redis=$(printf 'redis://%s,' "${urls[@]}"); redis=${redis%,}
# The demo folder keeps the bench's analysis part short; the AI parts are what this is for.
SAMPLEMIND_HOME=$work/home "$here/target/release/samplemind" bench "$here/assets/demo" --ai \
  --redis "$redis" --tree-files 0 --search-size 0 "$@"
