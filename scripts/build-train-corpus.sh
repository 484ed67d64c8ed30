#!/usr/bin/env bash
# Build the training and tuning corpus (issue 21): tools/train_corpus.py on the eval kit's
# renderer, over the sources the evaluation leaves us (see that file's docstring for the list
# and for what is reserved). A long job, run by hand; 27 minutes on 2 busy cores.
#
#   scripts/build-train-corpus.sh [OUTDIR] [--scale X] [--seed N]
#
# OUTDIR defaults to $SAMPLEMIND_EVAL_CACHE/corpus-train. The eval kit's setup.sh installs
# fluidsynth and the venv and unpacks the DEV packages; the extra allowed soundfonts are
# fetched here the same way (apt-get download + dpkg-deb -x into the cache, pinned versions).
# With the defaults the result is checked against tools/train-corpus.sha256, one digest over
# every file's checksum, so a rebuild is known to be the corpus the figures were measured on.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
eval_dir=${SAMPLEMIND_EVAL_KIT:-$here/../shared/eval}
cache=${SAMPLEMIND_EVAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samplemind-eval}
export SAMPLEMIND_EVAL_CACHE=$cache
out=$cache/corpus-train
if [[ $# -gt 0 && $1 != --* ]]; then out=$1; shift; fi

bash "$eval_dir/setup.sh" >&2

# Allowed by issue 21 and not used by DEV. musescore-general-soundfont-lossless carries the
# same samples as the HQ font below (478 MB unpacked), so it adds no new source.
extra=(fluid-soundfont-gs=3.1-5.3 fluidr3mono-gm-soundfont=2.315-7 musescore-general-soundfont=0.2.1-1)
apt_dl=(apt-get -q download)
[[ $(id -u) -eq 0 ]] && apt_dl=(apt-get -q -o APT::Sandbox::User=root download)
for spec in "${extra[@]}"; do
  pkg=${spec%%=*}
  [[ -d $cache/src/$pkg ]] && continue
  tmp=$(mktemp -d)
  (cd "$tmp" && { "${apt_dl[@]}" "$spec" >&2 || "${apt_dl[@]}" "$pkg" >&2; })
  dpkg-deb -x "$tmp"/*.deb "$cache/src/$pkg"
  echo "$pkg $(dpkg-deb -f "$tmp"/*.deb Version)" >> "$cache/versions.txt"
  rm -rf "$tmp"
done

"$cache/venv/bin/python" "$here/tools/train_corpus.py" "$out" "$@"

# One digest over the sorted per-file checksums: small enough to commit, and any changed file
# changes it.
(cd "$out" && find labels.csv audio -type f -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
digest=$(sha256sum < "$out/SHA256SUMS" | cut -d' ' -f1)
if [[ $# -eq 0 ]]; then
  want=$(cut -d' ' -f1 "$here/tools/train-corpus.sha256" 2>/dev/null || true)
  if [[ -z $want ]]; then
    echo "build-train-corpus: digest $digest (no reference yet: tools/train-corpus.sha256)" >&2
  elif [[ $want == "$digest" ]]; then
    echo "build-train-corpus: matches the reference corpus ($digest)" >&2
  else
    echo "build-train-corpus: WARNING: digest $digest differs from the reference $want" \
         "(other package or library versions?); figures measured on it are not comparable" >&2
  fi
fi
echo "$out"
