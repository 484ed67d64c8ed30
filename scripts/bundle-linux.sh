#!/usr/bin/env bash
# The Linux packages of the desktop app: a .deb and an .rpm (AppImage bundling downloads its
# tools, so it is left out: see tauri.conf.json's targets). Runs offline on what cargo built.
#   scripts/bundle-linux.sh            the `dist` profile (stripped, no debug info, thin LTO: what
#                                      people install), then the packages under target/dist/bundle
#   scripts/bundle-linux.sh --debug    the debug builds .ci/run made for its tests
#   scripts/bundle-linux.sh --profile release   another cargo profile (to compare sizes)
# The packages carry the ONNX runtime and the models (src-tauri/bundle-ml.json, from
# scripts/fetch-ml.sh and assets/models): the installed app finds them in /usr/lib/SampleMind/ml.
# They carry the `samplemind` CLI too, as /usr/bin/samplemind beside the app
# (src-tauri/bundle-cli.json: Tauri's externalBin, which wants the target triple in the name),
# and it finds the same folder.
# Then it checks that each package holds both binaries, the desktop entry, and each model
# file with its pinned checksum (assets/models/SHA256SUMS), and that both binaries, run from
# the unpacked package, load the runtime it carries.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=dist
case "${1:-}" in
  --debug) profile=debug ;;
  --profile) profile=${2:?--profile needs a name} ;;
esac
bins=target/$profile
if [[ $profile == debug ]]; then
  # The CLI as the tests built it (with devices); built here only when it is missing.
  [[ -x target/debug/samplemind ]] || cargo build --locked --bin samplemind --features device
else
  npm --prefix ui run build
  # One cargo run for both binaries: the shared dependencies resolve and build once.
  cargo build --profile "$profile" --locked -p samplemind-app -p samplemind \
    --features samplemind-app/custom-protocol,samplemind/device
fi
bash scripts/fetch-ml.sh >&2
triple=$(rustc -vV | awk '/^host:/ {print $2}')
mkdir -p target/bundle-bin
cp "$bins/samplemind" "target/bundle-bin/samplemind-$triple"
if [[ $profile == debug ]]; then
  ui/node_modules/.bin/tauri bundle --debug --bundles deb,rpm \
    --config src-tauri/bundle-ml.json --config src-tauri/bundle-cli.json
elif [[ $profile == release ]]; then
  ui/node_modules/.bin/tauri bundle --bundles deb,rpm \
    --config src-tauri/bundle-ml.json --config src-tauri/bundle-cli.json
else
  # Tauri's bundler knows only target/{debug,release}; it finds the target folder through
  # cargo, so a staging folder with the dist binaries under release/ stands in for it.
  stage=target/$profile-stage
  mkdir -p "$stage/release"
  cp "$bins/samplemind-app" "$bins/samplemind" "$stage/release/"
  CARGO_TARGET_DIR=$stage ui/node_modules/.bin/tauri bundle --bundles deb,rpm \
    --config src-tauri/bundle-ml.json --config src-tauri/bundle-cli.json
  rm -rf "$bins/bundle"
  mv "$stage/release/bundle" "$bins/bundle"
fi
version=$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')
deb=$bins/bundle/deb/SampleMind_${version}_amd64.deb
rpm=$bins/bundle/rpm/SampleMind-${version}-1.x86_64.rpm
listing=$(dpkg-deb -c "$deb")
for want in usr/bin/samplemind-app usr/bin/samplemind usr/share/applications/SampleMind.desktop; do
  grep -Eq " (\./)?$want\$" <<<"$listing" || { echo "bundle-linux: $deb lacks $want" >&2; exit 1; }
done
unpacked=$(mktemp -d)
trap 'rm -rf "$unpacked"' EXIT
dpkg-deb -x "$deb" "$unpacked"
ml="$unpacked/usr/lib/SampleMind/ml"
for file in $(python3 -c 'import json; print(" ".join(v.split("/", 1)[1] for v in json.load(open("src-tauri/bundle-ml.json"))["bundle"]["resources"].values()))'); do
  [[ -f "$ml/$file" ]] || { echo "bundle-linux: $deb lacks usr/lib/SampleMind/ml/$file" >&2; exit 1; }
  want=$(awk -v f="$file" '$2 == f {print $1}' assets/models/SHA256SUMS)
  if [[ -n "$want" && "$(sha256sum "$ml/$file" | cut -d' ' -f1)" != "$want" ]]; then
    echo "bundle-linux: $deb holds a $file that does not match its checksum" >&2; exit 1
  fi
done
# The packaged CLI, run from the unpacked tree as if installed, finds the runtime and every
# model in the package's folder (`health --json` names the files it loaded; it exits 1 for
# "degraded", which no language model server here makes it).
SAMPLEMIND_HOME="$unpacked/home" "$unpacked/usr/bin/samplemind" health --json > "$unpacked/health.json" || true
python3 - "$ml" "$unpacked/health.json" <<'PY' || { echo "bundle-linux: the packaged CLI does not use the package's models" >&2; exit 1; }
import json, sys
ml = sys.argv[1]
models = next(c for c in json.load(open(sys.argv[2]))["components"] if c["name"] == "models")["details"]
paths = [models["onnxruntime"]] + [m["path"] for m in models["models"].values()]
wrong = [p for p in paths if not p.startswith(ml + "/")]
print("\n".join(wrong), file=sys.stderr)
sys.exit(1 if wrong else 0)
PY
# The packaged app loads the runtime it carries (it logs that before its window opens; it
# needs a display, so only where xvfb-run is). It keeps running, so it is stopped as soon as
# the line is there, or after 20 s.
if command -v xvfb-run > /dev/null; then
  log="$unpacked/app.log"
  SAMPLEMIND_HOME="$unpacked/home" SAMPLEMIND_LOG=samplemind_ml=debug NO_COLOR=1 \
    setsid xvfb-run -a "$unpacked/usr/bin/samplemind-app" > "$log" 2>&1 &
  app=$!
  want="ONNX Runtime loaded from $ml/libonnxruntime"
  for _ in $(seq 200); do
    grep -q "$want" "$log" && break
    kill -0 "$app" 2> /dev/null || break
    sleep 0.1
  done
  kill -TERM -- "-$app" 2> /dev/null || true
  wait "$app" 2> /dev/null || true
  grep -q "$want" "$log" || {
    echo "bundle-linux: the packaged app did not load its own ONNX runtime:" >&2
    grep -i "onnx\|models" "$log" >&2 || true
    exit 1
  }
fi
# What people install carries no debug info (line tables made the release CLI 117 MB).
if [[ $profile == dist ]]; then
  for bin in usr/bin/samplemind usr/bin/samplemind-app; do
    if readelf -S "$unpacked/$bin" | grep -q '\.debug_'; then
      echo "bundle-linux: $deb's $bin carries debug sections" >&2; exit 1
    fi
  done
fi
dpkg-deb -f "$deb" Depends | grep -q libwebkit2gtk-4.1 || { echo "bundle-linux: $deb does not depend on WebKitGTK" >&2; exit 1; }
# An RPM starts with its lead's magic number (ed ab ee db).
[[ "$(head -c4 "$rpm" | od -An -tx1 | tr -d ' \n')" == "edabeedb" ]] || { echo "bundle-linux: $rpm is not an RPM" >&2; exit 1; }
ls -l "$deb" "$rpm"
