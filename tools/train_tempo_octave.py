#!/usr/bin/env python3
"""Train SampleMind's tempo-octave model: which reading of a tempo pair (s, 2s) a person counts.

usage: train_tempo_octave.py LABELS_CSV FEATURES_JSONL OUT_JSON [CORPUS_NAME]

FEATURES_JSONL is `samplemind analyze --json --features` over the corpus LABELS_CSV labels,
analysed with the model off (SAMPLEMIND_NO_TEMPO_OCTAVE=1); each row's `tempo_features` is
crates/analysis/src/tempo_octave.rs's input: log2(s / 80), then the low, mid and high registers'
onset autocorrelation at 1/2, 1, 2 and 4 beats of the fast reading 2s.

Only exact tempo labels train it: the eval kit derives real loops' tempi from their length,
up to a factor of two, which is exactly what this model decides. A file whose label is
neither s nor 2s (the estimator found another pulse) says nothing about the octave and is
left out. The model is a logistic regression on standardised inputs (13 numbers).

It prints honest figures first: leave-one-source-out (each source family of the training
corpus, its `group` column, left out in turn), then source-grouped and stratified 5-fold
cross-validation of the octave call, and the tempo accuracy (Acc1, 4 %) over the exact labels
those calls give. Only then does it fit on everything and write OUT_JSON
(assets/models/tempo_octave.json), naming CORPUS_NAME as what it learned from.
"""
import csv, json, sys

import numpy as np
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

from train_classifier import folds, model, rounded, source_group

C_OCTAVE = 1.0
INPUTS = 13
TOLERANCE = 0.04


def close(a, b):
    return abs(a - b) <= TOLERANCE * b


def load(labels_csv, features_jsonl):
    feats = {}
    for line in open(features_jsonl):
        d = json.loads(line)
        if d.get("tempo_features"):
            feats[d["path"]] = (d["tempo_features"], d.get("bpm"))
    X, y, groups, n_exact, n_other, n_before = [], [], [], 0, 0, 0
    for r in csv.DictReader(open(labels_csv, newline="")):
        if not r["bpm"] or "approximate" in r["label_source"]:
            continue
        n_exact += 1
        match = [p for p in feats if p.endswith("/" + r["path"]) or p == r["path"]]
        if not match:
            n_other += 1
            continue
        x, bpm = feats[match[0]]
        ref, slow = float(r["bpm"]), 80.0 * 2.0 ** x[0]
        n_before += bool(bpm) and close(ref, bpm)
        if close(ref, slow):
            label = 0
        elif close(ref, 2 * slow):
            label = 1
        else:
            n_other += 1
            continue
        X.append(x)
        y.append(label)
        groups.append(r.get("group") or source_group(r["source"]))
    return np.array(X, dtype=np.float64), np.array(y), np.array(groups), n_exact, n_other, n_before


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    corpus = sys.argv[4] if len(sys.argv) == 5 else "the eval DEV corpus"
    X, y, groups, n_exact, n_other, n_before = load(*sys.argv[1:3])
    if X.shape[1] != INPUTS:
        sys.exit(f"expected {INPUTS} tempo features, got {X.shape[1]}")
    print(f"{n_exact} files with an exact tempo; {len(y)} where the label is s or 2s "
          f"({y.sum()} fast), {n_other} with another tempo or none")
    print(f"without the model: tempo Acc1 over the exact labels {n_before / n_exact:.1%}")
    skf, gkf = folds(groups)
    splits = [(f"leave one source out ({len(set(groups))} sources)", LeaveOneGroupOut(), {"groups": groups})] \
        if len(set(groups)) > 2 else []
    for name, cv, kw in splits + [("CV grouped by source", gkf, {"groups": groups}), ("stratified 5-fold CV", skf, {})]:
        pred = cross_val_predict(model(C_OCTAVE), X, y, cv=cv, **kw)
        right = int((pred == y).sum())
        print(f"octave call, {name}: {right / len(y):.1%} ({right}/{len(y)}); "
              f"tempo Acc1 over the exact labels: {right / n_exact:.1%}")
    m = model(C_OCTAVE).fit(X, y)
    out = {"source": f"tools/train_tempo_octave.py on {corpus} (exact tempo labels)",
           "n_train": int(len(y)), "mean": rounded(m[0].mean_), "scale": rounded(m[0].scale_),
           "weights": rounded(m[1].coef_[0]), "bias": float(f"{m[1].intercept_[0]:.6g}")}
    json.dump(out, open(sys.argv[3], "w"), separators=(",", ":"))
    print(f"wrote {sys.argv[3]}")


if __name__ == "__main__":
    main()
