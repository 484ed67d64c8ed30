#!/usr/bin/env python3
"""Make altered copies of a labelled corpus for training the category classifier.

usage: augment_corpus.py SRC_CORPUS OUT_DIR [COPIES] [SEED]

SRC_CORPUS holds labels.csv and audio/ (the eval kit's DEV corpus). Each file gets COPIES
(default 4) copies under OUT_DIR/audio/, written by sox, each with its own random
  - tuning: played 2.5 semitones lower to 2.5 higher (sox `speed`), the same instrument
    at another pitch, as a sampler would;
  - level: 0 to 9 dB quieter;
  - colour: a bass or treble shelf of up to 4 dB either way, or none (another microphone,
    another mix).
OUT_DIR/labels.csv lists the copies, each with its original's path in an `origin` column, so
that cross-validation keeps every copy in its original's fold: a copy of a tested file never
trains the model that tests it. Deterministic for a SEED.
"""
import csv
import os
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor


def main():
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261124)
    rows = list(csv.DictReader(open(os.path.join(src, "labels.csv"), newline="")))
    commands, listed = [], []
    for r in rows:
        for k in range(copies):
            semitones = rng.uniform(-2.5, 2.5)
            gain_db = rng.uniform(-9, 0)
            shelf = rng.choice([["bass", f"{rng.uniform(-4, 4):.1f}"], ["treble", f"{rng.uniform(-4, 4):.1f}"], []])
            path = r["path"].rsplit(".", 1)[0] + f"__copy{k}.flac"
            dst = os.path.join(out, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            commands.append(["sox", "-q", os.path.join(src, r["path"]), dst,
                             "speed", f"{2 ** (semitones / 12):.4f}", "gain", f"{gain_db:.1f}", *shelf,
                             "rate", "44100"])
            listed.append({"path": path, "category": r["category"], "is_loop": r["is_loop"],
                           "source": r["source"], "origin": r["path"]})
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for cmd, done in zip(commands, pool.map(lambda c: subprocess.run(c, capture_output=True), commands)):
            if done.returncode:
                sys.exit(f"sox failed on {cmd[2]}: {done.stderr.decode().strip()}")
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(listed[0]))
        w.writeheader()
        w.writerows(listed)
    print(f"{len(listed)} copies of {len(rows)} files in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
