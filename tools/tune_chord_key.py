#!/usr/bin/env python3
"""Choose the chord thresholds of one-shot keys (crates/analysis/src/key.rs) by leaving one
source out.

usage: tune_chord_key.py LABELS_CSV ANALYSIS_JSONL

ANALYSIS_JSONL is `samplemind analyze --json` over the training corpus
(scripts/build-train-corpus.sh); every one-shot's `chroma` is in it. This mirrors
`key::best_chord` (the same templates) and scores each pair of thresholds (CHORD_MIN_FIT,
CHORD_MIN_THIRD) on the labelled one-shots: a chord must get its key (its root and quality),
a single note, a sus chord, a drum or a noise must get none. For every source group the pair
is chosen on the other groups and scored on it: that leave-one-source-out figure comes first.
The pair chosen on everything is the one to ship.
"""
import sys
from collections import defaultdict

import numpy as np

from train_classifier import by_label

KEY_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
# (intervals with weights, quality): key.rs's CHORD_TEMPLATES.
TEMPLATES = [
    ([(0, 1.0), (4, 1.0), (7, 1.0)], "major"),
    ([(0, 1.0), (3, 1.0), (7, 1.0)], "minor"),
    ([(0, 1.0), (4, 1.0), (7, 1.0), (10, 0.7)], "major"),
    ([(0, 1.0), (4, 1.0), (7, 1.0), (11, 0.7)], "major"),
    ([(0, 1.0), (3, 1.0), (7, 1.0), (10, 0.7)], "minor"),
    ([(0, 1.0), (5, 1.0), (7, 1.0)], ""),
    ([(0, 1.0), (2, 1.0), (7, 1.0)], ""),
]
FITS = [0.75, 0.8, 0.85, 0.88]
THIRDS = [0.1, 0.2, 0.3]
# With the models, CREPE's confidence tells one voice from several: at or above this a
# chord reading is revoked (models.rs). 2.0: never.
CREPE_GATES = [0.7, 0.8, 0.9, 2.0]
RUST = (0.8, 0.5)  # key.rs's constants when the analysis that BENCHMARKS.md reports was run
RUST_PHRASE_GATE = 0.5  # key::MIN_CONFIDENCE, the gate of every profile key
# A sound with a pulse at least this long (s) is a phrase, with its profile's key; a shorter
# one is read as a chord or has no key. 1e9: only loops have a profile key.
PHRASE_SECONDS = [4.0, 8.0, 12.0, 16.0, 1e9]
# dsp.rs: a sound called one of these with this probability or more loses its key.
DRUMS = {"kick", "snare", "clap", "hat", "tom", "cymbal", "percussion", "drums"}
DRUM_GATE = 0.7


def best_chord(bins):
    b = np.asarray(bins, dtype=np.float64)
    norm = np.sqrt((b * b).sum())
    if len(b) != 12 or norm <= 0:
        return None
    best = None
    for root in range(12):
        for tones, quality in TEMPLATES:
            dot = sum(w * b[(root + i) % 12] for i, w in tones)
            fit = dot / (norm * np.sqrt(sum(w * w for _, w in tones)))
            if best is None or fit > best[2] + 1e-12:
                best = (root, quality, fit, b[(root + tones[1][0]) % 12])
    return best


def chord_key(ch, fit, third):
    """(passes, key): whether the profile reads as a chord, and the key it files it under.
    A suspended reading is no chord (key::chord)."""
    if ch is None or ch[2] < fit or ch[3] < third or not ch[1]:
        return False, ""
    return True, f"{KEY_NAMES[ch[0]]} {ch[1]}"


def predicted(row, fit, third, crepe_gate=2.0, gate_s=1e9):
    """A non-loop's key, as dsp.rs and models.rs give it: `row` is (labels, best chord, the
    analysis's profile key and its confidence, had a tempo, CREPE's confidence, seconds). A
    phrase (a pulse, at least `gate_s` long) has its whole profile's key; anything shorter is
    filed under the chord it sounds, unless CREPE is at least `crepe_gate` sure of one voice."""
    _, ch, (profile_key, confidence), moves, crepe, seconds = row
    if moves and seconds >= gate_s:
        return profile_key if (confidence or 0) >= RUST_PHRASE_GATE else ""
    passes, key = chord_key(ch, fit, third)
    if not passes or crepe >= crepe_gate:
        return ""
    return key


def kind(r):
    """What a labelled non-loop is, for the balanced score."""
    if r["key"]:
        return "phrase" if r["subset"] == "chorale" else "chord"
    if r["subset"] == "chord_oneshot":
        return "sus chord"
    # A tonal single note (its root is labelled) is where a false chord costs most: its key
    # and its root note.
    return "single note" if r["root_note"] else "drum or effect"


def tally(rows, params):
    """Per kind of sound, [right, of] for the key the thresholds `params` give."""
    per = defaultdict(lambda: [0, 0])
    for x in rows:
        per[kind(x[0])][0] += predicted(x, *params) == x[0]["key"]
        per[kind(x[0])][1] += 1
    return per


def balanced(per):
    """The mean of the kinds' accuracies: each kind counts the same however many of it the
    corpus has."""
    return sum(v[0] / v[1] for v in per.values()) / max(len(per), 1)


def shown(per):
    return ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(per.items()))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rows = []
    for r, d in by_label(sys.argv[1], sys.argv[2]):
        if d is None or r["is_loop"] != "0" or d.get("is_loop"):
            continue  # what the analysis also calls a one-shot: loops take the other road
        sure_drum = d.get("category") in DRUMS and (d.get("category_confidence") or 0) >= DRUM_GATE
        rows.append((r, None if sure_drum else best_chord(d.get("chroma") or []),
                     (d.get("key") or "", d.get("key_confidence")), d.get("bpm") is not None,
                     d.get("crepe_confidence") or 0.0, d.get("duration_s") or 0.0))
    groups = sorted({x[0]["group"] for x in rows})
    print(f"{len(rows)} non-loops, {sum(1 for x in rows if x[0]['key'])} with a key, {len(groups)} sources")
    mirror = sum(predicted(x, *RUST, 2.0, 0.0) == x[2][0] for x in rows)
    print(f"mirror check: the Python reading equals the analysis's key on {mirror}/{len(rows)}")

    grid = [(f, t, cg, gs) for f in FITS for t in THIRDS for cg in CREPE_GATES for gs in PHRASE_SECONDS]
    out_of_source = defaultdict(lambda: [0, 0])
    for g in groups:
        train = [x for x in rows if x[0]["group"] != g]
        test = [x for x in rows if x[0]["group"] == g]
        f, t, cg, gs = max(grid, key=lambda p: balanced(tally(train, p)))
        per = tally(test, (f, t, cg, gs))
        for k, v in per.items():
            out_of_source[k][0] += v[0]
            out_of_source[k][1] += v[1]
        print(f"  leave out {g:28s} chose fit {f} third {t} crepe {cg} phrases from {gs} s:"
              f" {balanced(per):.1%} of {len(test)}")
    hits, n = (sum(v[i] for v in out_of_source.values()) for i in (0, 1))
    print(f"leave one source out: {hits / n:.1%} of files ({hits}/{n}); {shown(out_of_source)}")
    before = tally(rows, (9, 9, 2.0, 0.0))
    print(f"before (no key for a one-shot, a profile key for any phrase): {balanced(before):.1%} balanced;"
          f" {shown(before)}")
    best = max(grid, key=lambda p: balanced(tally(rows, p)))
    f, t, cg, gs = best
    print(f"chosen on every source: CHORD_MIN_FIT = {f}, CHORD_MIN_THIRD = {t}, PHRASE_MIN_SECONDS = {gs},"
          f" CREPE_ONE_VOICE = {cg} ({balanced(tally(rows, best)):.1%} balanced, in-sample;"
          f" {shown(tally(rows, best))})")
    print(f"  DSP only (no CREPE): {shown(tally(rows, (f, t, 2.0, gs)))}")


if __name__ == "__main__":
    main()
