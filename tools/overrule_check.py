#!/usr/bin/env python3
"""Choose when the models' category overrules the DSP one (the models stage's rule:
`category_model::OVERRULE_PROBABILITY`), one source left out at a time.

usage: overrule_check.py LABELS_CSV MODEL_FEATURES_JSONL DSP_CALLS_JSONL
       overrule_check.py --oof DSP_OOF_NPZ MODELS_OOF_NPZ

MODEL_FEATURES_JSONL: `samplemind analyze --json --features` (with the models) over the corpus;
DSP_CALLS_JSONL: `samplemind analyze --json --no-models` over it (the DSP classifier's calls).
The models' category distribution of each file comes from a model fitted without the file's
source (tools/train_classifier.py's recipe); the DSP call is the shipped classifier's. A file
gets the models' category when its probability reaches the threshold or the DSP call's.

With --oof, both sides are leave-one-source-out distributions saved by
`SAMPLEMIND_SAVE_OOF=F tools/train_classifier.py [--models]`, each calibrated with the
temperature its shipped model carries: the check for a DSP classifier that was itself trained
on the training corpus (its shipped calls on that corpus would be in-sample).
"""
import json
import os
import sys
from collections import defaultdict

import numpy as np
from sklearn.model_selection import LeaveOneGroupOut

import train_classifier as T

THRESHOLDS = [0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 2.0]  # 2.0: only a surer models' call


def temperature(model_file):
    here = os.path.dirname(os.path.abspath(__file__))
    m = json.load(open(os.path.join(here, "..", "assets", "models", model_file)))
    return m["category"].get("temperature", 1.0)


def from_oof(dsp_npz, models_npz):
    """The truth, groups, DSP calls and models' distributions from two saved OOF files."""
    d, m = np.load(dsp_npz, allow_pickle=True), np.load(models_npz, allow_pickle=True)
    if list(d["y"]) != list(m["y"]):
        sys.exit("the two OOF files are of other corpora or orders")
    pd = T.tempered(d["proba"], temperature("classifier.json"))
    dsp_call = list(zip(d["classes"][pd.argmax(1)], pd.max(1)))
    return m["y"], m["groups"], dsp_call, T.tempered(m["proba"], temperature("category_models.json"))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--oof":
        cat, groups, dsp_call, P = from_oof(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4:
        labels, feats, dsp_jsonl = sys.argv[1:]
        rows = T.matched(labels, feats)
        X, cat, _, groups = T.load(labels, feats)
        calls = {r["path"]: d for r, d in T.by_label(labels, dsp_jsonl)}
        dsp_call = [((calls[r["path"]] or {}).get("category") or "",
                     (calls[r["path"]] or {}).get("category_confidence") or 0.0) for r, _ in rows]
        P = T.out_of_fold(T.C_MODELS, X, cat, LeaveOneGroupOut().split(X, cat, groups), proba=True)
    else:
        sys.exit(__doc__)
    classes = np.array(sorted(set(cat)))
    m_call, m_p = classes[P.argmax(1)], P.max(1)

    def final(i, thr):
        return m_call[i] if (m_p[i] >= thr or m_p[i] >= dsp_call[i][1]) else dsp_call[i][0]

    def acc(idx, thr):
        return np.mean([final(i, thr) == cat[i] for i in idx])

    everyone = np.arange(len(cat))
    print(f"{len(cat)} files, {len(set(groups))} sources; models alone (out of source) "
          f"{np.mean(m_call == cat):.1%}, DSP classifier alone {np.mean([d[0] for d in dsp_call] == cat):.1%}")
    for thr in THRESHOLDS:
        print(f"  overrule from {thr}: {acc(everyone, thr):.1%}")
    hits = 0
    for g in sorted(set(groups)):
        test, train = np.where(groups == g)[0], np.where(groups != g)[0]
        thr = max(THRESHOLDS, key=lambda t: acc(train, t))
        hits += sum(final(i, thr) == cat[i] for i in test)
        print(f"  leave out {g:28s} chose {thr}: {acc(test, thr):.1%} of {len(test)}")
    print(f"leave one source out, the threshold chosen without the source: {hits / len(cat):.1%}")
    print(f"chosen on every source: {max(THRESHOLDS, key=lambda t: acc(everyone, t))}")

    # Calibration of the models' probability, out of source: of the calls made at p, how many
    # are right.
    bins = defaultdict(lambda: [0, 0])
    for i in everyone:
        b = min(int(m_p[i] * 10), 9)
        bins[b][0] += m_call[i] == cat[i]
        bins[b][1] += 1
    print("calibration (models' probability → share right):",
          ", ".join(f"{b / 10:.1f}-{(b + 1) / 10:.1f}: {v[0] / v[1]:.0%} of {v[1]}" for b, v in sorted(bins.items())))
    order = np.argsort(-m_p)
    keep = order[: int(0.9 * len(order))]
    print(f"models alone at 90 % coverage (the surest 90 %): {np.mean(m_call[keep] == cat[keep]):.1%}")


if __name__ == "__main__":
    main()
