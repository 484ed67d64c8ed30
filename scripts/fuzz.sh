#!/usr/bin/env bash
# Runs the fuzz targets with libFuzzer and AddressSanitizer (cargo fuzz), each for SECONDS
# (default 3600: the hour the reliability issue asks for; run by hand, figures in
# BENCHMARKS.md). CI does not run this: it replays fuzz/seeds and fuzz/regressions through
# tests/fuzz_replay.rs on the stable toolchain.
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# cargo fuzz needs nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP lets this stable
# toolchain take them, here and nowhere else. A crash lands in fuzz/artifacts/TARGET/: copy it
# to fuzz/regressions/TARGET/<what-it-found>, fix the code, and the replay test keeps it fixed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"
secs=${1:-3600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode_analyse loop_chunks stored_records api_inputs ai_answers)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
triple=$(rustc -vV | sed -n 's/^host: //p')
printf '%-16s %8s %14s %10s %8s\n' target seconds executions exec/s crashes
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  log="artifacts/$t/last-run.log"
  # Every decode_analyse input is analysed in full (~15 ms for a tenth of a second): inputs
  # stay short so the fuzzer tries many headers rather than a few long bodies.
  max_len=65536
  [ "$t" = decode_analyse ] && max_len=16384
  before=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  # A single allocation over 256 MB, a run over 2 GB or an input taking 10 s is a finding:
  # memory and time must follow the input's size, not a number written in it.
  # The binary built above, run directly: `cargo fuzz run` would rebuild first whenever a
  # source changed, and a change made during a long campaign should not restart it.
  "target/$triple/release/$t" "corpus/$t" "seeds/$t" \
    -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=256 -print_final_stats=1 -close_fd_mask=1 \
    -artifact_prefix="artifacts/$t/" >"$log" 2>&1 || true
  after=$(find "artifacts/$t" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  printf '%-16s %8s %14s %10s %8s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" "$((after - before))"
done
