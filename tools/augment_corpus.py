#!/usr/bin/env python3
"""Make altered copies of a labelled corpus for training the category classifier.

usage: augment_corpus.py SRC_CORPUS OUT_DIR [COPIES] [SEED]

SRC_CORPUS holds labels.csv and audio/ (the eval kit's DEV corpus). Each file gets COPIES
(default 4) copies under OUT_DIR/audio/, written by sox, each with its own random
  - tuning: played 2.5 semitones lower to 2.5 higher (sox `speed`), the same instrument
    at another pitch, as a sampler would;
  - level: 0 to 9 dB quieter;
  - colour: a bass or treble shelf of up to 4 dB either way, or none (another microphone,
    another mix);
and, each with its own chance, the chain a sound meets between a sampler and a pack:
  - a peaking EQ band (200 Hz to 8 kHz, up to 6 dB either way);
  - saturation (sox `overdrive`), as a drive or tape stage would;
  - compression (sox `compand`, a soft knee);
  - a room (sox `reverb`, small to large);
  - a lower sample rate (16 or 22.05 kHz and back: the top octave gone);
  - a lossy round trip: written as Ogg Vorbis or MP3 instead of FLAC.
A copy of another source's sound with these changes is still that sound's category: the
model should learn the instrument, not the soundfont's recording chain.
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


def studio_chain(rng):
    """A random selection of sox effects: EQ, drive, compression, room, lower sample rate."""
    chain = []
    if rng.random() < 0.35:
        freq = 200 * 40 ** rng.random()
        chain += ["equalizer", f"{freq:.0f}", f"{rng.uniform(0.7, 2.0):.2f}q", f"{rng.uniform(-6, 6):.1f}"]
    if rng.random() < 0.2:
        chain += ["gain", "-6", "overdrive", f"{rng.uniform(4, 16):.0f}", f"{rng.uniform(10, 40):.0f}"]
    if rng.random() < 0.2:
        # A soft knee from -30 dB at about 3:1; the make-up gain is left to the level step.
        chain += ["compand", "0.005,0.15", "6:-80,-80,-30,-30,0,-20", "-3", "-90", "0.01"]
    if rng.random() < 0.25:
        chain += ["reverb", f"{rng.uniform(15, 70):.0f}", "50", f"{rng.uniform(20, 100):.0f}"]
    if rng.random() < 0.15:
        chain += ["rate", rng.choice(["16000", "22050"])]
    return chain


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
            # Back to one rate straight after `speed`: sox's compand after an implicit rate change
            # stops early ("flowed asymmetrically") and still exits 0.
            chain = ["speed", f"{2 ** (semitones / 12):.4f}", "rate", "44100", *shelf, *studio_chain(rng), "gain", f"{gain_db:.1f}"]
            ext = rng.choices(["flac", "ogg", "mp3"], weights=[6, 2, 2])[0]
            path = r["path"].rsplit(".", 1)[0] + f"__copy{k}.{ext}"
            dst = os.path.join(out, path)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            commands.append(["sox", "-q", os.path.join(src, r["path"]), dst, *chain, "rate", "44100"])
            listed.append({"path": path, "category": r["category"], "is_loop": r["is_loop"],
                           "source": r["source"], "origin": r["path"]})
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for cmd, done in zip(commands, pool.map(lambda c: subprocess.run(c, capture_output=True), commands)):
            if done.returncode or b"FAIL" in done.stderr:
                sys.exit(f"sox failed on {cmd[2]}: {done.stderr.decode().strip()}")
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(listed[0]))
        w.writeheader()
        w.writerows(listed)
    print(f"{len(listed)} copies of {len(rows)} files in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
