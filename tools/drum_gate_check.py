#!/usr/bin/env python3
"""Choose the drum gate (`stages::dsp::DRUM_GATE_PROBABILITY`), one source left out at a time.

usage: drum_gate_check.py LABELS_CSV MODEL_FEATURES_JSONL DSP_OOF_NPZ MODELS_OOF_NPZ

A one-shot whose category is a drum at probability p ≥ the gate loses its root note and key:
a kick shows no note. The gate costs a tonal sound its root when the classifier calls it a
drum (a bass note called a tom), and a gate set too high lets a drum hit show a note. A lost
root counts ROOT_WEIGHT mistakes and a drum's note one: a root note is a search field the
producer filters by, while a note shown on a kick is only noise in the table. The final call is the scan's: the surer of the two calibrated
classifiers (`category_model::overrules`), from the leave-one-source-out distributions saved
by `SAMPLEMIND_SAVE_OOF=F tools/train_classifier.py [--models]`. Two gates are compared: on
the called class's probability (as shipped), and on the summed probability of every drum
class. MODEL_FEATURES_JSONL fixes the row order (the file the models' OOF was made from).
"""
import sys

import numpy as np

import overrule_check as O
import train_classifier as T

DRUMS = {"kick", "snare", "clap", "hat", "cymbal", "tom", "percussion", "drums"}  # classify::DRUM_CATEGORIES
GATES = [0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01]
ROOT_WEIGHT = 2


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    labels, feats, dsp_npz, models_npz = sys.argv[1:]
    rows = T.matched(labels, feats)
    cat, groups, dsp_call, P = O.from_oof(dsp_npz, models_npz)
    if len(rows) != len(cat) or any(r["category"] != c for (r, _), c in zip(rows, cat)):
        sys.exit("the features file is not the one the OOF files were made from")
    classes = np.array(sorted(set(cat)))
    drum_cols = np.array([c in DRUMS for c in classes])
    m_call, m_p = classes[P.argmax(1)], P.max(1)
    models_win = m_p >= np.array([p for _, p in dsp_call])
    call = np.where(models_win, m_call, [c for c, _ in dsp_call])
    p_call = np.where(models_win, m_p, [p for _, p in dsp_call])
    d = np.load(dsp_npz, allow_pickle=True)
    if list(d["classes"]) != list(classes):
        sys.exit("the two OOF files name other classes")
    PD = T.tempered(d["proba"], O.temperature("classifier.json"))
    # The drum mass of the winning side's distribution.
    mass = np.where(models_win, P[:, drum_cols].sum(1), PD[:, drum_cols].sum(1))
    one_shot = np.array([r["is_loop"] == "0" for r, _ in rows])
    tonal = one_shot & np.array([bool((r.get("root_note") or "").strip()) for r, _ in rows])
    drum = one_shot & np.isin(cat, list(DRUMS))
    print(f"{one_shot.sum()} one-shots: {tonal.sum()} with a root note, {drum.sum()} drum hits")

    def gated(rule, g):
        if rule == "called":
            return np.isin(call, list(DRUMS)) & (p_call >= g)
        return mass >= g

    def mistakes(rule, g, idx):
        gate = gated(rule, g)
        return ROOT_WEIGHT * (tonal[idx] & gate[idx]).sum() + (drum[idx] & ~gate[idx]).sum()

    for rule in ("called", "drum mass"):
        print(f"gate on the {rule} probability:")
        for g in GATES:
            gate = gated(rule, g)
            print(f"  {g:4.2f}: roots lost {(tonal & gate).sum():4d} of {tonal.sum()} "
                  f"({(tonal & gate).sum() / tonal.sum():.1%}), drum hits with a note "
                  f"{(drum & ~gate).sum():4d} of {drum.sum()} ({(drum & ~gate).sum() / drum.sum():.1%})")
        total, lost, noted = 0, 0, 0
        for grp in sorted(set(groups)):
            test, train = groups == grp, groups != grp
            g = min(GATES, key=lambda x: (mistakes(rule, x, train), -x))
            gate = gated(rule, g)
            lost += (tonal[test] & gate[test]).sum()
            noted += (drum[test] & ~gate[test]).sum()
            print(f"    leave out {grp:24s} chose {g}")
        print(f"  leave one source out: roots lost {lost} ({lost / tonal.sum():.1%}), drum hits with "
              f"a note {noted} ({noted / drum.sum():.1%}), {ROOT_WEIGHT * lost + noted} weighted mistakes")
        print(f"  chosen on every source: {min(GATES, key=lambda x: (mistakes(rule, x, np.arange(len(cat))), -x))}")


if __name__ == "__main__":
    main()
