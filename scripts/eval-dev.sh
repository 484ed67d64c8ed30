#!/usr/bin/env bash
# Score SampleMind's analysis on the blinded DEV corpus with the shared eval kit.
#   scripts/eval-dev.sh [--json]
# Builds the corpus if needed (../shared/eval/build-dev-corpus.sh), blinds it
# (../shared/eval/blind.py), runs `samplemind analyze --json` and ../shared/eval/score.py.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
eval_dir=${SAMPLEMIND_EVAL_KIT:-$here/../shared/eval}
cache=${SAMPLEMIND_EVAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samplemind-eval}
corpus=$cache/corpus-dev
blind=${TMPDIR:-/tmp}/samplemind-dev-blind
[ -f "$corpus/labels.csv" ] || "$eval_dir/build-dev-corpus.sh" >&2
[ -f "$blind/labels.csv" ] || python3 "$eval_dir/blind.py" "$corpus" "$blind" >&2
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
"$here/target/release/samplemind" analyze --json -j 1 "$blind/audio" > "$blind/predictions.jsonl"
python3 "$eval_dir/score.py" "$blind/labels.csv" "$blind/predictions.jsonl" "$@"
