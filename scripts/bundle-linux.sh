#!/usr/bin/env bash
# The Linux packages of the desktop app: a .deb and an .rpm (AppImage bundling downloads its
# tools, so it is left out: see tauri.conf.json's targets). Runs offline on what cargo built.
#   scripts/bundle-linux.sh            release build, then the packages under target/release/bundle
#   scripts/bundle-linux.sh --debug    the debug build .ci/run made for the end-to-end test
# Then it checks that each package holds the app's binary and its desktop entry.
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
ui/node_modules/.bin/tauri bundle "${flag[@]}" --bundles deb,rpm
version=$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')
deb=target/$profile/bundle/deb/SampleMind_${version}_amd64.deb
rpm=target/$profile/bundle/rpm/SampleMind-${version}-1.x86_64.rpm
listing=$(dpkg-deb -c "$deb")
for want in usr/bin/samplemind-app usr/share/applications/SampleMind.desktop; do
  grep -Eq " (\./)?$want\$" <<<"$listing" || { echo "bundle-linux: $deb lacks $want" >&2; exit 1; }
done
dpkg-deb -f "$deb" Depends | grep -q libwebkit2gtk-4.1 || { echo "bundle-linux: $deb does not depend on WebKitGTK" >&2; exit 1; }
# An RPM starts with its lead's magic number (ed ab ee db).
[[ "$(head -c4 "$rpm" | od -An -tx1 | tr -d ' \n')" == "edabeedb" ]] || { echo "bundle-linux: $rpm is not an RPM" >&2; exit 1; }
ls -l "$deb" "$rpm"
