#!/usr/bin/env bash
# The Linux packages of the desktop app: a .deb and an .rpm (AppImage bundling downloads its
# tools, so it is left out: see tauri.conf.json's targets). Runs offline on what cargo built.
#   scripts/bundle-linux.sh            release build, then the packages under target/release/bundle
#   scripts/bundle-linux.sh --debug    the debug build .ci/run made for the end-to-end test
# The packages carry the ONNX runtime and the models (src-tauri/bundle-ml.json, from
# scripts/fetch-ml.sh and assets/models): the installed app finds them in /usr/lib/SampleMind/ml.
# Then it checks that each package holds the app's binary, its desktop entry, and each model
# file with its pinned checksum (assets/models/SHA256SUMS).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
profile=release
flag=()
if [[ "${1:-}" == "--debug" ]]; then
  profile=debug
  flag=(--debug)
else
  npm --prefix ui run build
  cargo build --release --locked -p samplemind-app --features custom-protocol
fi
bash scripts/fetch-ml.sh >&2
ui/node_modules/.bin/tauri bundle "${flag[@]}" --bundles deb,rpm --config src-tauri/bundle-ml.json
version=$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')
deb=target/$profile/bundle/deb/SampleMind_${version}_amd64.deb
rpm=target/$profile/bundle/rpm/SampleMind-${version}-1.x86_64.rpm
listing=$(dpkg-deb -c "$deb")
for want in usr/bin/samplemind-app usr/share/applications/SampleMind.desktop; do
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
# The packaged app, run from the unpacked tree as if installed, loads the runtime it carries
# (it logs that before its window opens; needs a display, so only where xvfb-run is).
if command -v xvfb-run > /dev/null; then
  log=$(SAMPLEMIND_HOME="$unpacked/home" SAMPLEMIND_LOG=samplemind::ml=debug NO_COLOR=1 \
    timeout -k 5 20 xvfb-run -a "$unpacked/usr/bin/samplemind-app" 2>&1 || true)
  grep -q "ONNX Runtime loaded from $ml/libonnxruntime" <<<"$log" || {
    echo "bundle-linux: the packaged app did not load its own ONNX runtime:" >&2
    grep -i "onnx\|models" <<<"$log" >&2 || true
    exit 1
  }
fi
dpkg-deb -f "$deb" Depends | grep -q libwebkit2gtk-4.1 || { echo "bundle-linux: $deb does not depend on WebKitGTK" >&2; exit 1; }
# An RPM starts with its lead's magic number (ed ab ee db).
[[ "$(head -c4 "$rpm" | od -An -tx1 | tr -d ' \n')" == "edabeedb" ]] || { echo "bundle-linux: $rpm is not an RPM" >&2; exit 1; }
ls -l "$deb" "$rpm"
