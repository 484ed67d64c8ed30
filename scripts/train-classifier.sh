#!/usr/bin/env bash
# Retrain assets/models/classifier.json (DSP features), category_models.json (DSP features
# and the local models' embeddings) and tempo_octave.json on the eval DEV corpus: the data
# recipe.
# Needs Python 3; installs numpy and scikit-learn into a venv under the eval cache.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
eval_dir=${SAMPLEMIND_EVAL_KIT:-$here/../shared/eval}
cache=${SAMPLEMIND_EVAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/samplemind-eval}
corpus=$cache/corpus-dev
[ -f "$corpus/labels.csv" ] || "$eval_dir/build-dev-corpus.sh" >&2
venv=$cache/train-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import sklearn" 2>/dev/null || "$venv/bin/pip" install -q numpy scikit-learn
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
feats=$(mktemp)
# The classifiers must not see their own earlier output: analyse with them switched off.
SAMPLEMIND_NO_CLASSIFIER=1 "$here/target/release/samplemind" analyze --json --features --no-models "$corpus/audio" > "$feats"
"$venv/bin/python" "$here/tools/train_classifier.py" "$corpus/labels.csv" "$feats" "$here/assets/models/classifier.json"
# The steps below analyse with the new classifier.json: it is compiled into the binary.
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
# The models' classifier sees what it will see in a scan: the DSP classifier's loop call
# (which decides the embeddings a sound gets), not its own output.
bash "$here/scripts/fetch-ml.sh" >&2
SAMPLEMIND_NO_MODEL_CLASSIFIER=1 "$here/target/release/samplemind" analyze --json --features "$corpus/audio" > "$feats"
"$venv/bin/python" "$here/tools/train_classifier.py" --models "$corpus/labels.csv" "$feats" "$here/assets/models/category_models.json"
# The tempo-octave model, on the blinded view: file names carry tempi, and the figure printed
# "without the model" must be what the audio alone gives.
blind=${TMPDIR:-/tmp}/samplemind-dev-blind
[ -f "$blind/labels.csv" ] || python3 "$eval_dir/blind.py" "$corpus" "$blind" >&2
SAMPLEMIND_NO_TEMPO_OCTAVE=1 "$here/target/release/samplemind" analyze --json --features --no-models "$blind/audio" > "$feats"
"$venv/bin/python" "$here/tools/train_tempo_octave.py" "$blind/labels.csv" "$feats" "$here/assets/models/tempo_octave.json"
rm -f "$feats"
