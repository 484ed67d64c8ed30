#!/usr/bin/env bash
# The README's first command, run as a newcomer runs it on a fresh machine that has only the Rust
# toolchain and a C compiler, and its output checked. .ci/run runs this before anything else is
# installed or built, so a change that brings back a system library (a -sys crate found through
# pkg-config, say libdbus-1-dev or libasound2-dev) turns CI red.
#   - The command is read from the README itself (the first line of the "Two commands" block),
#     so the README cannot drift from what is checked.
#   - pkg-config, where it is installed at all, finds nothing: PKG_CONFIG_LIBDIR names an empty
#     folder and PKG_CONFIG_PATH is empty.
#   - The library is a new, empty SAMPLEMIND_HOME; the scan must analyse the seven demo sounds
#     and exit 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command_line=$(awk '/^## Two commands on a fresh machine/ {s=1} s && /^```sh/ {getline; print; exit}' README.md)
command_line=${command_line%%#*}
[[ -n "${command_line// /}" ]] || { echo "check-fresh-machine: no first command found in README.md" >&2; exit 1; }
echo "check-fresh-machine: running the README's first command: $command_line" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/no-pkg-config" "$work/home"

started=$(date +%s)
set +e
env PKG_CONFIG_LIBDIR="$work/no-pkg-config" PKG_CONFIG_PATH= SAMPLEMIND_HOME="$work/home" \
  bash -c "$command_line" > "$work/out" 2> "$work/err"
rc=$?
set -e
elapsed=$(( $(date +%s) - started ))
cat "$work/out"
if [[ $rc -ne 0 ]]; then
  tail -n 40 "$work/err" >&2
  echo "check-fresh-machine: the README's first command failed (exit $rc) after ${elapsed} s" >&2
  exit 1
fi
summary=$(grep -E '^[0-9]+ files: [0-9]+ analysed' "$work/out" || true)
if ! grep -Eq '^7 files: 7 analysed' <<<"$summary"; then
  echo "check-fresh-machine: expected the seven demo sounds analysed, the scan said: ${summary:-nothing}" >&2
  exit 1
fi
grep -q "^library: $work/home/library" "$work/out" || {
  echo "check-fresh-machine: the scan did not say where the library is" >&2; exit 1; }
echo "check-fresh-machine: ok in ${elapsed} s (build and scan): $summary" >&2
