#!/usr/bin/env bash
# Issue 23's scan figures: a studio's second machine scans a folder the first one already
# analysed, through a real redis-server on a free loopback port.
#
#   scripts/bench-shared-scan.sh FOLDER [--models]
#
# Four SAMPLEMIND_HOMEs, one release binary, the same FOLDER:
#   alone   a cold scan with no [shared] section (the baseline)
#   first   a cold scan that publishes every analysis to Redis
#   second  a scan on a fresh home: every content should come from Redis (0 decodes)
#   killed  "second" again on a fresh home, with Redis killed halfway through: the scan must
#           finish locally, no file failed, each decoded at most once.
#   pair-a, pair-b  two fresh homes scanning FOLDER at the same moment through a fresh Redis:
#           between them each file should be decoded once (claims), the work split.
# Prints one line per scan (seconds, decoded, from Redis, failed) and the ratios. DSP only
# unless --models (then the ONNX runtime of scripts/fetch-ml.sh is used). A benchmark, not a
# test: run it by hand, and put its figures in BENCHMARKS.md.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
folder=${1:?usage: scripts/bench-shared-scan.sh FOLDER [--models]}
models_flag=--no-models
[ "${2:-}" = "--models" ] && models_flag=""
command -v redis-server > /dev/null || { echo "needs redis-server (apt-get install redis-server)" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin=$here/target/release/samplemind
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis_pid=""
cleanup() { [ -n "$redis_pid" ] && kill "$redis_pid" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT

start_redis() {
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
    --maxmemory 2gb --maxmemory-policy allkeys-lru > /dev/null &
  redis_pid=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping > /dev/null 2>&1 && return; sleep 0.05; done
  echo "redis-server did not start" >&2; exit 1
}

home() { # NAME [shared]: a fresh home, with [shared] pointing at our Redis when asked
  mkdir -p "$work/$1"
  if [ "${2:-}" = shared ]; then
    printf '[shared]\nredis = "redis://127.0.0.1:%s/0"\n' "$port" > "$work/$1/config.toml"
  fi
}

scan() { # NAME: scan FOLDER into that home, print "seconds decoded shared failed"
  local t0 t1
  t0=$(date +%s.%N)
  SAMPLEMIND_HOME=$work/$1 "$bin" $models_flag scan --json "$folder" > "$work/$1.json" 2> "$work/$1.err" || true
  t1=$(date +%s.%N)
  python3 - "$work/$1.json" "$t0" "$t1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{float(sys.argv[3]) - float(sys.argv[2]):.2f} {r['analysed']} {r.get('shared', 0)} {len(r['failures'])} {r['files']}")
EOF
}

start_redis
home alone; home first shared; home second shared; home killed shared
read -r t_alone d_alone s_alone f_alone n < <(scan alone)
read -r t_first d_first s_first f_first _ < <(scan first)
read -r t_second d_second s_second f_second _ < <(scan second)
half=$(python3 -c "print($t_second / 2)")
( sleep "$half"; kill "$redis_pid" ) &
read -r t_killed d_killed s_killed f_killed _ < <(scan killed)
wait || true
redis_pid=""
start_redis
home pair-a shared; home pair-b shared
scan pair-a > "$work/pair-a.line" & scan pair-b > "$work/pair-b.line"; wait $!
while [ ! -s "$work/pair-a.line" ]; do sleep 0.1; done
read -r t_pair_a d_pair_a s_pair_a f_pair_a _ < "$work/pair-a.line"
read -r t_pair_b d_pair_b s_pair_b f_pair_b _ < "$work/pair-b.line"

echo "folder: $folder ($n audio files; ${models_flag:-models on})"
printf '%-8s %8s %8s %11s %7s\n' scan seconds decoded "from Redis" failed
for s in alone first second killed pair_a pair_b; do
  eval "printf '%-8s %8s %8s %11s %7s\n' $s \$t_$s \$d_$s \$s_$s \$f_$s"
done
python3 - "$t_alone" "$t_first" "$t_second" "$t_killed" "$t_pair_a" "$t_pair_b" <<'EOF'
import sys
alone, first, second, killed, pa, pb = map(float, sys.argv[1:])
print(f"two machines at once / one alone: {max(pa, pb) / alone:.3f}")
print(f"second machine / cold scan: {second / alone:.3f} ({alone / second:.1f}x faster)")
print(f"publishing overhead (first / alone): {first / alone:.3f}")
print(f"Redis killed halfway / alone: {killed / alone:.3f}")
EOF
